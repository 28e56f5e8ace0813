// The course's icon, shared by the deck (src/deck/vite-plugin.ts) and the server's own pages
// (login confirmation, refusals: server/http/edge.ts).

/** The course's icon (a container on a whale-blue square), inline: no request at all. */
export const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1565c0"/><path fill="#fff" d="M3 6h3v3H3zm3.5 0h3v3h-3zm3.5 0h3v3h-3zM6.5 2.5h3v3h-3z"/></svg>',
)}`;

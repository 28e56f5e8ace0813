/**
 * French typography for prose text nodes (the DOM walker never calls it inside code, pre, kbd,
 * samp, script, style or textarea).
 *
 * The rule, deliberately small (general-purpose libraries break a Docker course: they eat the
 * space before `?` or rewrite `8080:80` and `http://`):
 * - straight apostrophe `'` → `’` and `...` → `…` (what kramdown's smart typography did);
 * - « x » → U+00A0 (no-break space) inside the guillemets (added when missing);
 * - a space (or run of spaces) before `:` → one U+00A0;
 * - a space before `;` `!` `?` → one U+202F (narrow no-break space);
 * - nothing is added where there is no space before `: ; ! ?`, so `8080:80`, `10:30`,
 *   `/var/lib:ro`, `a;b` stay as written;
 * - URLs (`scheme://…`, `www.…`) and e-mail-like words inside prose are left untouched.
 */

const PROTECTED = /(\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s<>"«»]*|\bwww\.[^\s<>"«»]+|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)/;

function prose(s: string): string {
  return s
    .replace(/'/g, '’')
    .replace(/\.\.\./g, '…')
    .replace(/«[ \t\u00a0\u202f]*/g, '«\u00a0')
    .replace(/[ \t\u00a0\u202f]*»/g, '\u00a0»')
    .replace(/[ \t\u00a0\u202f]+:/g, '\u00a0:')
    .replace(/[ \t\u00a0\u202f]+([;!?])/g, '\u202f$1');
}

export function frenchTypography(text: string): string {
  if (!/['.«»:;!?]/.test(text)) return text;
  const parts = text.split(PROTECTED);
  // split() with one capture group: odd indices are the protected matches.
  for (let i = 0; i < parts.length; i += 2) parts[i] = prose(parts[i]!);
  return parts.join('');
}

// Vite configuration of the deck (`npm run build`, `npx vite`): the build functions live in
// src/deck/build.ts, shared with the lab server and scripts/pdf.ts.
import { defineConfig } from 'vite';
import { deckViteConfig } from './src/deck/build';

export default defineConfig(deckViteConfig());

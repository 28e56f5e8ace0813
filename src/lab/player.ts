// asciinema-player and its stylesheet, in a chunk of their own: src/lab/replay.ts imports this
// module dynamically, only on a lab slide in self-paced mode.
import 'asciinema-player/dist/bundle/asciinema-player.css';

export { create } from 'asciinema-player';
export type { Player } from 'asciinema-player';

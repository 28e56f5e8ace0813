/**
 * Bounded byte history of one terminal, addressed by absolute offsets.
 *
 * Bytes [start, end) are retained, with end - start <= capacity, in one circular buffer: byte at
 * absolute offset `o` lives at `o % buf.length`. The buffer starts small and doubles up to the
 * capacity, so idle terminals cost little and a flood allocates nothing once it is full (a
 * per-chunk allocation cost about a quarter of the throughput in the bench).
 */
export class RingBuffer {
  private buf: Buffer;
  private _end = 0;

  constructor(readonly capacity: number, initialBytes = 16 * 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.buf = Buffer.allocUnsafe(Math.min(capacity, Math.max(1, initialBytes)));
  }

  /** Absolute offset of the oldest retained byte. */
  get start(): number {
    return Math.max(0, this._end - this.capacity);
  }

  /** Absolute offset just past the newest byte (total bytes ever appended). */
  get end(): number {
    return this._end;
  }

  /** Bytes held in memory (what the ring costs). */
  get allocatedBytes(): number {
    return this.buf.length;
  }

  /** `start` moved past UTF-8 continuation bytes, so that a full replay begins on a character. */
  get charStart(): number {
    let from = this.start;
    for (let i = 0; i < 3 && from < this._end; i++) {
      if ((this.buf[from % this.buf.length]! & 0xc0) !== 0x80) break;
      from++;
    }
    return from;
  }

  append(data: Uint8Array): void {
    if (data.length === 0) return;
    const newEnd = this._end + data.length;
    const retained = Math.min(this.capacity, newEnd);
    if (retained > this.buf.length) this.grow(retained);
    // Only the last `capacity` bytes of a huge chunk can survive.
    const keep = Math.min(data.length, this.buf.length);
    this.writeAt(newEnd - keep, data.subarray(data.length - keep));
    this._end = newEnd;
  }

  /** Copies of the retained bytes from `from` (clamped to [start, end]) to the end. */
  slice(from: number): Buffer[] {
    const start = Math.max(from, this.start);
    if (start >= this._end) return [];
    return this.views(start, this._end).map((v) => Buffer.from(v));
  }

  /** Views (no copy) of [from, to) in the circular buffer: one or two segments. */
  private views(from: number, to: number): Buffer[] {
    const size = this.buf.length;
    const a = from % size;
    const n = to - from;
    if (a + n <= size) return [this.buf.subarray(a, a + n)];
    return [this.buf.subarray(a, size), this.buf.subarray(0, n - (size - a))];
  }

  private writeAt(abs: number, data: Uint8Array): void {
    const size = this.buf.length;
    const a = abs % size;
    const first = Math.min(data.length, size - a);
    this.buf.set(data.subarray(0, first), a);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
  }

  private grow(needed: number): void {
    let size = this.buf.length;
    while (size < needed) size *= 2;
    size = Math.min(size, this.capacity);
    const old = this._end > this.start ? this.views(this.start, this._end) : [];
    let at = this.start;
    this.buf = Buffer.allocUnsafe(size);
    for (const v of old) {
      this.writeAt(at, v);
      at += v.length;
    }
  }
}

/**
 * Bounded byte history of one terminal, addressed by absolute offsets.
 *
 * Bytes [start, end) are retained, with end - start <= capacity. Data is copied into
 * fixed-size blocks so that a stream of 1-byte echoes costs no per-chunk object, and the
 * retained memory stays below capacity + one block.
 */
export class RingBuffer {
  private blocks: Buffer[] = [];
  /** Bytes used in the last block. */
  private tailUsed = 0;
  /** Absolute offset of blocks[0][0]. */
  private firstBlockOffset = 0;
  private _end = 0;

  constructor(
    readonly capacity: number,
    private readonly blockSize = Math.min(16 * 1024, Math.max(1, capacity)),
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  /** Absolute offset of the oldest retained byte. */
  get start(): number {
    return Math.max(0, this._end - this.capacity);
  }

  /** `start` moved past UTF-8 continuation bytes, so that a full replay begins on a character. */
  get charStart(): number {
    let from = this.start;
    const head = this.slice(from);
    let skipped = 0;
    for (const chunk of head) {
      for (let i = 0; i < chunk.length && skipped < 3; i++, skipped++) {
        if ((chunk[i]! & 0xc0) !== 0x80) return from;
        from++;
      }
      if (skipped >= 3) break;
    }
    return from;
  }

  /** Absolute offset just past the newest byte (total bytes ever appended). */
  get end(): number {
    return this._end;
  }

  /** Bytes held in memory by the blocks (what the ring costs). */
  get allocatedBytes(): number {
    return this.blocks.length * this.blockSize;
  }

  append(data: Uint8Array): void {
    let pos = 0;
    // Only the last `capacity` bytes of a huge chunk can survive.
    if (data.length > this.capacity) {
      const skip = data.length - this.capacity;
      this.dropAll(this._end + skip);
      pos = skip;
    }
    while (pos < data.length) {
      let tail = this.blocks[this.blocks.length - 1];
      if (!tail || this.tailUsed === this.blockSize) {
        tail = Buffer.allocUnsafe(this.blockSize);
        this.blocks.push(tail);
        this.tailUsed = 0;
      }
      const n = Math.min(this.blockSize - this.tailUsed, data.length - pos);
      tail.set(data.subarray(pos, pos + n), this.tailUsed);
      this.tailUsed += n;
      pos += n;
      this._end += n;
    }
    this.trim();
  }

  /** The retained bytes from `from` (clamped to [start, end]) to the end, as views (no copy). */
  slice(from: number): Buffer[] {
    const start = Math.max(from, this.start);
    const out: Buffer[] = [];
    if (start >= this._end) return out;
    let blockOffset = this.firstBlockOffset;
    for (let i = 0; i < this.blocks.length; i++) {
      const block = this.blocks[i]!;
      const used = i === this.blocks.length - 1 ? this.tailUsed : this.blockSize;
      const blockEnd = blockOffset + used;
      if (blockEnd > start) out.push(block.subarray(Math.max(0, start - blockOffset), used));
      blockOffset = blockEnd;
    }
    return out;
  }

  private trim(): void {
    const start = this.start;
    while (this.blocks.length > 1 && this.firstBlockOffset + this.blockSize <= start) {
      this.blocks.shift();
      this.firstBlockOffset += this.blockSize;
    }
  }

  private dropAll(newEnd: number): void {
    this.blocks = [];
    this.tailUsed = 0;
    this._end = newEnd;
    this.firstBlockOffset = newEnd;
  }
}

/**
 * The observation keys an import has met, to refuse a row that repeats one from an earlier batch.
 * A key is held as one number (its cell — indicator, period, sex, dimensions, interned to a small
 * integer — times 2^31 plus the unit id) in an open-addressing hash table of typed arrays: 12 bytes
 * a slot, at most half full, so about 24 bytes a row (24 MB for a million rows), where a Map of
 * strings would take ten times that.
 */
export class SeenKeys {
  private cells = new Map<string, number>();
  private keys = new Float64Array(1 << 16).fill(-1);
  /** The index of the row that first had the key. */
  private rows = new Int32Array(1 << 16);
  private size = 0;

  /** The row that had this key before, or -1 after remembering `row` as the first with it. */
  firstOrAdd(indicatorId: number, unitId: number, period: string, sex: string, dimensionKey: string, row: number): number {
    const cellName = `${indicatorId}|${period}|${sex}|${dimensionKey}`;
    let cell = this.cells.get(cellName);
    if (cell === undefined) this.cells.set(cellName, (cell = this.cells.size));
    const key = cell * 2 ** 31 + unitId;
    const slot = this.slotOf(key);
    if (this.keys[slot] === key) return this.rows[slot];
    this.keys[slot] = key;
    this.rows[slot] = row;
    if (++this.size * 2 > this.keys.length) this.grow();
    return -1;
  }

  /** The slot holding `key`, or the empty slot where it belongs (linear probing). */
  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    const high = Math.floor(key / 2 ** 32);
    let slot = (Math.imul((key >>> 0) ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
    while (this.keys[slot] !== -1 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const keys = this.keys;
    const rows = this.rows;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.rows = new Int32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const slot = this.slotOf(keys[i]);
      this.keys[slot] = keys[i];
      this.rows[slot] = rows[i];
    }
  }
}

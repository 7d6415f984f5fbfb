/**
 * Disjoint sets over string keys (union by size, path halving), for one batch of links.
 * The persistent union-find lives in PostgreSQL (every report and identifier points at its
 * cluster); this one only groups what a batch touches before the batch is written.
 */
export class DisjointSets {
  private readonly index = new Map<string, number>();
  private readonly parent: number[] = [];
  private readonly size: number[] = [];
  readonly keys: string[] = [];

  add(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.parent.length;
      this.index.set(key, i);
      this.parent.push(i);
      this.size.push(1);
      this.keys.push(key);
    }
    return i;
  }

  private root(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }

  union(a: string, b: string): void {
    let ra = this.root(this.add(a));
    let rb = this.root(this.add(b));
    if (ra === rb) return;
    if (this.size[ra] < this.size[rb]) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] += this.size[rb];
  }

  /** The groups, each as its keys. */
  groups(): string[][] {
    const byRoot = new Map<number, string[]>();
    for (let i = 0; i < this.keys.length; i++) {
      const r = this.root(i);
      let g = byRoot.get(r);
      if (!g) byRoot.set(r, (g = []));
      g.push(this.keys[i]);
    }
    return [...byRoot.values()];
  }
}

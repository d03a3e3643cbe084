// One promise per key: a diagnosis context runs each network step once (one DNS lookup, one
// handshake, one list request) and every check that needs it shares the answer.
export class Memo {
  private readonly entries = new Map<string, Promise<unknown>>();

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.entries.set(key, p);
    }
    return p;
  }
}

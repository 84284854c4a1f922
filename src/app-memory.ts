/**
 * Per-app state — caches, debounce timers, "last seen" memos — held by the running app (its context), not
 * by a module: two apps in one process (tests start several, against different Slack and Finch stand-ins)
 * never see each other's users, reps or Home pages. A module declares its slot once (a constant: the kind
 * of state and how to build it); each app builds its own on first use.
 */

/** One kind of per-app state: a name for readers and how to build an empty one. */
export interface MemorySlot<T> {
  readonly name: string;
  make(): T;
}

/** Declares a kind of per-app state (at module scope: the slot is a constant, the state is per app). */
export function memorySlot<T>(name: string, make: () => T): MemorySlot<T> {
  return { name, make };
}

/** State that holds timers or handles: let go when the app stops. */
interface Disposable {
  dispose(): void;
}

/** The state of one running app, built with its context (src/fleet.ts). */
export class AppMemory {
  private readonly held = new Map<MemorySlot<unknown>, unknown>();

  /** This app's state of `slot`, built on first use. */
  of<T>(slot: MemorySlot<T>): T {
    if (!this.held.has(slot)) this.held.set(slot, slot.make());
    return this.held.get(slot) as T;
  }

  /** Lets go of everything held (pending timers are cleared); called when the app stops. */
  dispose(): void {
    for (const state of this.held.values()) (state as Partial<Disposable>).dispose?.();
    this.held.clear();
  }
}

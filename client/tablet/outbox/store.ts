/**
 * What the tablet keeps in IndexedDB (through `idb`): the outbox, one row per record (with its
 * photos' bytes as Blobs), and what the worker loaded so it opens without a network (their tasks,
 * each task's page, the grids). Records are kept per owner; nothing here decides anything (the
 * rules are machine.ts).
 *
 * Storage that the browser cleared (iPad Safari evicts a site's storage after 7 days without use
 * unless it is on the home screen) is found at start: a marker kept both here and in
 * localStorage must agree (`checkSurvival`).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { OutboxEntry } from './machine.ts';

interface TabletDb extends DBSchema {
  outbox: { key: string; value: OutboxEntry; indexes: { owner: string } };
  kept: { key: string; value: unknown };
}

const DB_NAME = 'cerebellum-tablet';
const MARKER_KEY = 'cerebellum.tablet.marker';

/** What the survival check found. */
export type Survival = 'first-run' | 'intact' | 'lost';

export class TabletStore {
  readonly #db: IDBPDatabase<TabletDb>;

  private constructor(db: IDBPDatabase<TabletDb>) {
    this.#db = db;
  }

  static async open(): Promise<TabletStore> {
    const db = await openDB<TabletDb>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('owner', 'owner');
        db.createObjectStore('kept');
      },
      // Another tab holds an older version open: let it close rather than block this one.
      blocking() {
        db.close();
      },
    });
    return new TabletStore(db);
  }

  entries(): Promise<OutboxEntry[]> {
    return this.#db.getAll('outbox');
  }

  async put(e: OutboxEntry): Promise<void> {
    await this.#db.put('outbox', e);
  }

  async delete(id: string): Promise<void> {
    await this.#db.delete('outbox', id);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.#db.get('kept', key)) as T | undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.#db.put('kept', value, key);
  }

  /**
   * Whether what this tablet kept is still here: a marker written on first run to both stores.
   * localStorage remembering one that IndexedDB lost means the browser cleared the records.
   */
  async checkSurvival(): Promise<Survival> {
    let remembered: string | null = null;
    try {
      remembered = localStorage.getItem(MARKER_KEY);
    } catch {
      // storage refused: nothing to compare with
    }
    const kept = await this.get<string>('marker');
    if (kept && (remembered === kept || remembered === null)) {
      if (remembered === null) this.#remember(kept);
      return 'intact';
    }
    const marker = crypto.randomUUID();
    await this.set('marker', marker);
    this.#remember(marker);
    return remembered ? 'lost' : 'first-run';
  }

  #remember(marker: string) {
    try {
      localStorage.setItem(MARKER_KEY, marker);
    } catch {
      // not remembered: the next check cannot tell, and says nothing
    }
  }
}

/** Ask the browser not to evict the outbox (granted to installed apps; Safari may say no). */
export async function askPersistence(): Promise<boolean> {
  try {
    if (!navigator.storage?.persist) return false;
    return (await navigator.storage.persisted?.()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}

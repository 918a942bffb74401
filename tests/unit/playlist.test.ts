/**
 * The wall's scene playlist: what the URL asks for, what it ignores, pinning, and when the
 * scenes change — with plain numbers for time.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DWELL_MS, MAX_DWELL_MS, MIN_DWELL_MS, SCENES, advance, dueAt, parseDwell, parsePlaylist, rotates,
  startPlaylist, step,
} from '../../client/lib/playlist.ts';

const T0 = Date.parse('2026-03-10T08:00:00+08:00');

describe('reading the playlist from the URL', () => {
  it('rotates every scene, events first, 45 s each, when the URL says nothing', () => {
    expect(parsePlaylist('')).toEqual({ scenes: ['events', 'subjects', 'volunteers', 'needs'], dwellMs: 45_000, pinned: null, ignored: [] });
    expect(SCENES[0]).toBe('events');
    expect(DEFAULT_DWELL_MS).toBe(45_000);
  });

  it('takes the scenes and the dwell from ?scenes= and ?dwell=', () => {
    expect(parsePlaylist('?scenes=subjects,volunteers&dwell=30')).toMatchObject({
      scenes: ['subjects', 'volunteers'], dwellMs: 30_000, pinned: null, ignored: [],
    });
  });

  it('ignores names that are not scenes, and repeats, and says which it ignored', () => {
    expect(parsePlaylist('?scenes=needs,bogus,,needs, Volunteers ,<script>')).toMatchObject({
      scenes: ['needs', 'volunteers'], ignored: ['bogus', '<script>'],
    });
  });

  it('falls back to the default rotation when no listed name is a scene', () => {
    expect(parsePlaylist('?scenes=foo,bar').scenes).toEqual([...SCENES]);
    expect(parsePlaylist('?scenes=').scenes).toEqual([...SCENES]);
  });

  it('pins one scene with ?scene=, and ignores a pin that is not a scene', () => {
    expect(parsePlaylist('?scene=volunteers')).toMatchObject({ pinned: 'volunteers', scenes: [...SCENES] });
    expect(parsePlaylist('?scene=nope')).toMatchObject({ pinned: null, ignored: ['nope'] });
  });

  it('keeps the dwell between 10 s and an hour, and ignores one that is not a number', () => {
    expect(parseDwell('5')).toBe(MIN_DWELL_MS);
    expect(parseDwell('86400')).toBe(MAX_DWELL_MS);
    expect(parseDwell('12.5')).toBe(12_500);
    for (const bad of [null, '', 'abc', '-30', '0', 'NaN', 'Infinity']) expect(parseDwell(bad), String(bad)).toBe(DEFAULT_DWELL_MS);
  });

  it('accepts URLSearchParams as well as a query string', () => {
    expect(parsePlaylist(new URLSearchParams({ scenes: 'needs', dwell: '60' }))).toMatchObject({ scenes: ['needs'], dwellMs: 60_000 });
  });
});

describe('timing the rotation', () => {
  it('shows each scene for the dwell, in order, and wraps round', () => {
    const config = parsePlaylist('?dwell=30');
    let s = startPlaylist(config, T0);
    expect(s.scene).toBe('events');
    expect(dueAt(config, s)).toBe(T0 + 30_000);
    // Not yet: the same state comes back.
    expect(advance(config, s, T0 + 29_999)).toBe(s);
    const seen: string[] = [];
    let t = T0;
    for (let i = 0; i < 5; i++) {
      t = dueAt(config, s)!;
      s = advance(config, s, t);
      seen.push(s.scene);
      expect(s.since).toBe(t);
    }
    expect(seen).toEqual(['subjects', 'volunteers', 'needs', 'events', 'subjects']);
  });

  it('moves on one scene after a long sleep, not several, and counts the dwell from then', () => {
    const config = parsePlaylist('');
    const s = advance(config, startPlaylist(config, T0), T0 + 10 * DEFAULT_DWELL_MS);
    expect(s).toEqual({ index: 1, scene: 'subjects', since: T0 + 10 * DEFAULT_DWELL_MS });
  });

  it('never moves a pinned scene by itself, nor a list of one', () => {
    const pinned = parsePlaylist('?scene=needs');
    const s = startPlaylist(pinned, T0);
    expect(s.scene).toBe('needs');
    expect(rotates(pinned)).toBe(false);
    expect(dueAt(pinned, s)).toBeNull();
    expect(advance(pinned, s, T0 + 365 * 86_400_000)).toBe(s);
    const single = parsePlaylist('?scenes=volunteers');
    expect(rotates(single)).toBe(false);
    expect(dueAt(single, startPlaylist(single, T0))).toBeNull();
  });

  it('steps both ways with the arrow keys, wrapping, and restarts the dwell', () => {
    const config = parsePlaylist('?scenes=subjects,volunteers,needs&dwell=20');
    let s = startPlaylist(config, T0);
    s = step(config, s, -1, T0 + 5_000);
    expect(s).toEqual({ index: 2, scene: 'needs', since: T0 + 5_000 });
    expect(dueAt(config, s)).toBe(T0 + 25_000);
    s = step(config, s, 1, T0 + 6_000);
    expect(s.scene).toBe('subjects');
  });

  it('lets someone at a pinned wall step through the scenes without starting the rotation', () => {
    const config = parsePlaylist('?scene=volunteers');
    let s = startPlaylist(config, T0);
    s = step(config, s, 1, T0 + 1_000);
    expect(s.scene).toBe('needs');
    expect(dueAt(config, s)).toBeNull();
    // A pinned scene outside the list: +1 goes to the head, −1 to the tail.
    const outside = parsePlaylist('?scenes=subjects,needs&scene=events');
    const o = startPlaylist(outside, T0);
    expect(o).toMatchObject({ index: -1, scene: 'events' });
    expect(step(outside, o, 1, T0).scene).toBe('subjects');
    expect(step(outside, o, -1, T0).scene).toBe('needs');
  });
});

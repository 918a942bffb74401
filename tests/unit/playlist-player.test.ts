/**
 * The page's scene player on fake timers: it moves on by itself at each dwell, the keys restart
 * the dwell, and however long it runs there is one timer pending — none after stop().
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parsePlaylist } from '../../client/lib/playlist.ts';
import { ScenePlayer } from '../../client/lib/scene-player.svelte.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-03-10T08:00:00+08:00') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the scene player', () => {
  it('rotates on its own every dwell and keeps a single timer for weeks', () => {
    const player = new ScenePlayer(parsePlaylist('?dwell=30'));
    player.start();
    expect(player.scene).toBe('events');
    vi.advanceTimersByTime(29_999);
    expect(player.scene).toBe('events');
    vi.advanceTimersByTime(1);
    expect(player.scene).toBe('subjects');
    // Three weeks of rotation: 60 480 switches, and still one timer.
    vi.advanceTimersByTime(21 * 86_400_000);
    expect(vi.getTimerCount()).toBe(1);
    expect(player.list).toEqual(['events', 'subjects', 'volunteers', 'needs']);
    player.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps rotating every dwell when the wall\'s clock is set back an hour (NTP correcting a kiosk)', () => {
    const player = new ScenePlayer(parsePlaylist('?dwell=30'));
    player.start();
    vi.advanceTimersByTime(30_000);
    expect(player.scene).toBe('subjects');
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(30_000);
    expect(player.scene).toBe('volunteers');
    vi.advanceTimersByTime(30_000);
    expect(player.scene).toBe('needs');
    expect(vi.getTimerCount()).toBe(1);
    player.stop();
  });

  it('steps with next() and previous() and counts the dwell afresh from the key press', () => {
    const player = new ScenePlayer(parsePlaylist('?dwell=30'));
    player.start();
    vi.advanceTimersByTime(20_000);
    player.next();
    expect(player.scene).toBe('subjects');
    vi.advanceTimersByTime(20_000);
    expect(player.scene).toBe('subjects');
    vi.advanceTimersByTime(10_000);
    expect(player.scene).toBe('volunteers');
    player.previous();
    player.previous();
    expect(player.scene).toBe('events');
    expect(vi.getTimerCount()).toBe(1);
    player.stop();
  });

  it('holds a pinned scene with no timer at all, and lets the keys step', () => {
    const player = new ScenePlayer(parsePlaylist('?scene=volunteers&dwell=10'));
    player.start();
    expect(player.rotating).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(86_400_000);
    expect(player.scene).toBe('volunteers');
    player.next();
    expect(player.scene).toBe('needs');
    expect(vi.getTimerCount()).toBe(0);
  });
});

/**
 * Wide walls: how many 16:9 columns a window gets, and how the playlist is dealt out over them
 * so each column keeps its place and rotates its own share.
 */
import { describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../client/lib/playlist.ts';
import { columnsFor, dealScenes, parseColumns, sceneCount } from '../../client/lib/wide.ts';

describe('the number of columns of a wall', () => {
  it.each([
    [1920, 1080, 1], [3840, 2160, 1], [1280, 800, 1], [2560, 1080, 1], [3440, 1440, 1],
    [3840, 1080, 2], [5120, 1440, 2], [5760, 1080, 3], [7680, 1080, 4], [15360, 1080, 4],
  ])('gives a %i×%i window %i', (w, h, n) => {
    expect(columnsFor(w, h, null, 4)).toBe(n);
  });

  it('never shows more columns than there are scenes', () => {
    expect(columnsFor(5760, 1080, null, 2)).toBe(2);
    expect(columnsFor(5760, 1080, null, 1)).toBe(1);
  });

  it('takes ?columns= over the window, within 1 to 4 and the scenes', () => {
    expect(parseColumns('?columns=1')).toBe(1);
    expect(columnsFor(5760, 1080, 1, 4)).toBe(1);
    expect(columnsFor(1920, 1080, 2, 4)).toBe(2);
    expect(columnsFor(5760, 1080, 4, 3)).toBe(3);
    for (const bad of ['?columns=0', '?columns=5', '?columns=two', '?columns=1.5', '']) expect(parseColumns(bad)).toBeNull();
  });

  it('treats a window with no size as a classic wall', () => {
    expect(columnsFor(0, 0, null, 4)).toBe(1);
  });
});

describe('dealing the playlist over the columns', () => {
  it('keeps events and subjects put and rotates the rest on three columns', () => {
    expect(dealScenes(parsePlaylist(''), 3)).toEqual([['events'], ['subjects'], ['volunteers', 'needs']]);
  });

  it('pairs the four scenes on two columns, events and subjects first', () => {
    expect(dealScenes(parsePlaylist(''), 2)).toEqual([['events', 'needs'], ['subjects', 'volunteers']]);
  });

  it('gives each of four columns one scene', () => {
    expect(dealScenes(parsePlaylist(''), 4)).toEqual([['events'], ['subjects'], ['volunteers'], ['needs']]);
  });

  it('puts a pinned scene alone in the first column and shares the rest', () => {
    const config = parsePlaylist('?scene=needs');
    expect(sceneCount(config)).toBe(4);
    expect(dealScenes(config, 3)).toEqual([['needs'], ['events'], ['subjects', 'volunteers']]);
  });

  it('follows the order and choice of ?scenes=', () => {
    const config = parsePlaylist('?scenes=volunteers,events,needs');
    expect(sceneCount(config)).toBe(3);
    expect(dealScenes(config, columnsFor(5760, 1080, null, sceneCount(config)))).toEqual([['volunteers'], ['events'], ['needs']]);
  });

  it('shows every scene of the playlist in exactly one column', () => {
    for (let n = 1; n <= 4; n++) {
      const dealt = dealScenes(parsePlaylist(''), n).flat();
      expect(dealt.slice().sort()).toEqual(['events', 'needs', 'subjects', 'volunteers']);
    }
  });
});

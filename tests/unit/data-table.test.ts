/**
 * The console's list table (client/console/components/DataTable.svelte), rendered on the
 * server side of Svelte: the markup a screen reader reads (column headers, a hidden header
 * still named), the loading and empty lines, and rows that a keyboard reaches one at a time
 * only where a page can open them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRawSnippet, type Component } from 'svelte';
import { render as ssr } from 'svelte/server';

const columns = [
  { key: 'name', label: '名称' },
  { key: 'actions', label: '操作', class: 'actions', hidden: true },
];
const rows = [{ id: 1, name: '大厅' }, { id: 2, name: '二楼' }, { id: 3, name: '三楼' }];
type Row = (typeof rows)[number];
const cell = createRawSnippet((row: () => Row, col: () => { key: string }) => ({
  render: () => `<span>${col().key === 'name' ? row().name : '…'}</span>`,
}));

let DataTable: Component<Record<string, unknown>>;
beforeEach(async () => {
  // The console's language reads the address and storage when it starts.
  vi.stubGlobal('location', { search: '' });
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} });
  DataTable = (await import('../../client/console/components/DataTable.svelte')).default as unknown as Component<Record<string, unknown>>;
});
afterEach(() => vi.unstubAllGlobals());

/** The table's markup for `props`, without Svelte's hydration comments. */
const render = (props: Record<string, unknown>) => ({ body: ssr(DataTable, { props }).body.replace(/<!--.*?-->/g, '') });

const base = { name: 'displays', label: '大屏设备', columns, key: (r: Row) => r.id, empty: '还没有大屏', cell };

describe('the list table', () => {
  it('names every column for a screen reader, the actions column too', () => {
    const { body } = render({ ...base, rows });
    expect(body).toMatch(/<table class="data[ "][^>]*data-table="displays"/);
    expect(body).toMatch(/<th scope="col"[^>]*>名称<\/th>/);
    expect(body).toMatch(/<th scope="col" class="actions[ "][^>]*><span class="sr-only">操作<\/span><\/th>/);
    expect(body.match(/<tr/g)).toHaveLength(4);
  });

  it('says it is loading, then what an empty list means, across the whole row', () => {
    const loading = render({ ...base, rows: [], loading: true }).body;
    expect(loading).toContain('aria-busy="true"');
    expect(loading).toMatch(/<td colspan="2" class="empty"[^>]*>正在加载…<\/td>/);
    const empty = render({ ...base, rows: [] }).body;
    expect(empty).toMatch(/<td colspan="2" class="empty"[^>]*>还没有大屏<\/td>/);
  });

  it('leaves rows out of the tab order on a page that cannot open them', () => {
    const { body } = render({ ...base, rows, rowData: (r: Row) => ({ 'data-display': r.name }) });
    expect(body).not.toContain('tabindex');
    expect(body).toContain('data-display="二楼"');
  });

  it('puts one row in the tab order when rows can be opened, the others a key press away', () => {
    const { body } = render({ ...base, rows, onactivate: () => {} });
    expect(body.match(/tabindex="0"/g)).toHaveLength(1);
    expect(body.match(/tabindex="-1"/g)).toHaveLength(2);
  });

  it('offers the previous page only after the first, and the next only when the server has more', () => {
    const first = render({ ...base, rows, pager: { index: 0, hasNext: true, go: () => {} } }).body;
    expect(first).toMatch(/<button[^>]*disabled[^>]*data-page="prev"/);
    expect(first).not.toMatch(/<button[^>]*disabled[^>]*data-page="next"/);
    expect(first).toContain('第 1 页');
    const last = render({ ...base, rows, pager: { index: 2, hasNext: false, go: () => {} } }).body;
    expect(last).not.toMatch(/<button[^>]*disabled[^>]*data-page="prev"/);
    expect(last).toMatch(/<button[^>]*disabled[^>]*data-page="next"/);
    expect(last).toContain('第 3 页');
  });
});

/** Test support for the community register: ID numbers with a right check digit, sheets as the import takes them. */
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import { request } from './server.ts';

/** A resident ID number from its first 17 digits, with the check digit (GB 11643). */
export function idOf(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  return first17 + '10X98765432'[[...first17].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11];
}

/** The header of a register sheet, in Chinese as the template has it. */
export const REGISTER_HEADER = ['网格', '标准地址', '单元', '房号', '住房类型', '姓名', '性别', '出生', '身份证号', '电话', '与户主关系', '居住状态',
  '重点人群', '紧急联系人', '紧急联系电话', '紧急联系人关系', '疏散需要', '共享同意'];

/** A CSV of `rows` under the header, as the import's body takes it. */
export function csvFile(rows: string[][], name = '登记表.csv') {
  const text = [REGISTER_HEADER, ...rows].map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\r\n');
  return { name, data: Buffer.from(`\uFEFF${text}`, 'utf8').toString('base64') };
}

/** An XLSX of `rows` under the header. */
export async function xlsxFile(rows: string[][], name = '登记表.xlsx') {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('登记表');
  for (const r of [REGISTER_HEADER, ...rows]) sheet.addRow(r);
  return { name, data: Buffer.from(await book.xlsx.writeBuffer()).toString('base64') };
}

/** A resident as `buildingOf` puts one in a household of their own. */
export interface SeedResident { name: string; birth: string; tags: string[] }

/**
 * A building of grid `gridId` at `address` with one household per resident (unit 1, rooms 101,
 * 201, …), each resident its head, made as the admin through the API; the households' ids in order.
 */
export async function buildingOf(api: string, gridId: string, address: string, residents: SeedResident[]): Promise<number[]> {
  const made = async (p: string, body: unknown, key: string): Promise<number> => {
    const r = await request(`${api}${p}`, { method: 'POST', body });
    expect(r.status, `${p}: ${JSON.stringify(r.body)}`).toBe(201);
    return r.body[key].id as number;
  };
  const building = await made('/register/buildings', { gridId, address, units: 2, floors: 6 }, 'building');
  const ids: number[] = [];
  for (const [i, p] of residents.entries()) {
    const id = await made('/register/households', { buildingId: building, unit: '1', room: `${i + 1}01`, kind: 'owner' }, 'household');
    await made('/register/residents', {
      householdId: id, name: p.name, gender: 'female', birth: p.birth, relation: 'head', residence: 'resident', tags: p.tags,
    }, 'resident');
    ids.push(id);
  }
  return ids;
}

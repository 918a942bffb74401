/** The register's text search: part of a name, a phone number or an address, matched literally. */

/** `(col1 LIKE @param ESCAPE '\' OR …)`, where the parameter is the search text; bind it with `likeText`. */
export function likeAny(columns: readonly string[], param: string): string {
  return `(${columns.map((c) => `${c} LIKE '%' || ${likeParam(param)} || '%' ESCAPE '\\'`).join(' OR ')})`;
}

/** The search text with LIKE's wildcards escaped, so 50% finds "50%", not everything. */
const likeParam = (param: string) => `replace(replace(replace(@${param}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;

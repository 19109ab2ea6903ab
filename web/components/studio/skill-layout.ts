/** Where each skill sits in the prerequisite graph's picture: columns by depth, left to right. */

export interface Edge {
  skill_id: string;
  requires_id: string;
}

/**
 * Each skill's column: 0 for a skill that needs nothing, else one more than the deepest skill it
 * needs (the longest chain of prerequisites before it). The graph is a DAG (the API refuses
 * cycles); a cycle, should one arrive, is broken rather than looped on.
 */
export function depths(ids: string[], edges: Edge[]): Map<string, number> {
  const requires = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of edges) requires.get(edge.skill_id)?.push(edge.requires_id);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const needed = (requires.get(id) ?? []).filter((other) => requires.has(other));
    const value = needed.length === 0 ? 0 : 1 + Math.max(...needed.map(visit));
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  ids.forEach(visit);
  return depth;
}

/** Pixel positions: one column per depth, skills stacked within their column in the given order. */
export function layout(ids: string[], edges: Edge[], columnWidth = 240, rowHeight = 90): Map<string, { x: number; y: number }> {
  const depth = depths(ids, edges);
  const rows = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of ids) {
    const column = depth.get(id) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    positions.set(id, { x: column * columnWidth, y: row * rowHeight });
  }
  return positions;
}

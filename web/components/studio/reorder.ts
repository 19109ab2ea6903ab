/** Moving things in an ordered list: what drag and drop and the keyboard both do. */

/** The list with the element at `from` moved to `to` (both indexes in the original list). */
export function moveTo<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) {
    return [...list];
  }
  const moved = [...list];
  const [element] = moved.splice(from, 1);
  moved.splice(to, 0, element as T);
  return moved;
}

/** The ids with `id` moved one place up (-1) or down (+1); unchanged at either end. */
export function moveBy(ids: readonly string[], id: string, step: -1 | 1): string[] {
  const from = ids.indexOf(id);
  return from < 0 ? [...ids] : moveTo(ids, from, from + step);
}

/** The ids with `activeId` moved to where `overId` is (what a drop onto `overId` means). */
export function moveOnto(ids: readonly string[], activeId: string, overId: string): string[] {
  return moveTo(ids, ids.indexOf(activeId), ids.indexOf(overId));
}

/** Whether two orders differ (the API is called only when they do). */
export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

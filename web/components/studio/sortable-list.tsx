"use client";

import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from "@dnd-kit/core";
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { ReactNode } from "react";

import { moveBy, moveOnto } from "./reorder";

interface SortableListProps<T> {
  /** What is being ordered, for the handles' labels ("module", "item"). */
  noun: string;
  items: T[];
  idOf: (item: T) => string;
  labelOf: (item: T) => string;
  /** Called with the new order of ids when the user moves something. */
  onReorder: (ids: string[]) => void;
  disabled?: boolean;
  children: (item: T) => ReactNode;
}

/**
 * A list reordered by dragging its handles (pointer, or keyboard: focus a handle, Space to lift,
 * arrows to move, Space to drop) or with its Move up / Move down buttons.
 */
export function SortableList<T>({ noun, items, idOf, labelOf, onReorder, disabled, children }: SortableListProps<T>) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const ids = items.map(idOf);
  const name = (id: string | number) => {
    const found = items.find((item) => idOf(item) === String(id));
    return found ? `${noun} ${labelOf(found)}` : noun;
  };
  const place = (id: string | number) => ids.indexOf(String(id)) + 1;
  // Said to screen readers as the user drags, in words rather than ids.
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}, at place ${place(active.id)} of ${ids.length}.`,
    onDragOver: ({ active, over }) =>
      over ? `${name(active.id)} is over place ${place(over.id)} of ${ids.length}.` : `${name(active.id)} is outside the list.`,
    onDragEnd: ({ active, over }) =>
      over ? `Dropped ${name(active.id)} at place ${place(over.id)} of ${ids.length}.` : `Dropped ${name(active.id)} where it was.`,
    onDragCancel: ({ active }) => `Cancelled: ${name(active.id)} stays at place ${place(active.id)}.`,
  };

  function dragEnd({ active, over }: DragEndEvent) {
    if (over && active.id !== over.id) onReorder(moveOnto(ids, String(active.id), String(over.id)));
  }

  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={dragEnd} accessibility={{ announcements }}>
      <SortableContext items={ids} strategy={verticalListSortingStrategy} disabled={disabled}>
        <ol className="flex flex-col gap-2">
          {items.map((item, index) => (
            <SortableRow
              key={idOf(item)}
              id={idOf(item)}
              label={`${noun} ${labelOf(item)}`}
              first={index === 0}
              last={index === items.length - 1}
              disabled={disabled}
              onMove={(step) => onReorder(moveBy(ids, idOf(item), step))}
            >
              {children(item)}
            </SortableRow>
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

function SortableRow({
  id,
  label,
  first,
  last,
  disabled,
  onMove,
  children,
}: {
  id: string;
  label: string;
  first: boolean;
  last: boolean;
  disabled?: boolean;
  onMove: (step: -1 | 1) => void;
  children: ReactNode;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id });
  const small =
    "rounded px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 disabled:opacity-40 dark:text-slate-200 dark:hover:bg-slate-800";
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={`flex items-start gap-2 rounded-md border border-slate-200 bg-white p-2 dark:border-slate-700 dark:bg-slate-900 ${isDragging ? "shadow-lg ring-2 ring-blue-700" : ""}`}
    >
      <button
        type="button"
        className="cursor-grab touch-none rounded px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
        aria-label={`Drag ${label}`}
        disabled={disabled}
        {...attributes}
        {...listeners}
      >
        <span aria-hidden="true">⠿</span>
      </button>
      <div className="min-w-0 flex-1">{children}</div>
      <div className="flex shrink-0 gap-1">
        <button type="button" className={small} disabled={disabled || first} onClick={() => onMove(-1)} aria-label={`Move ${label} up`}>
          ↑
        </button>
        <button type="button" className={small} disabled={disabled || last} onClick={() => onMove(1)} aria-label={`Move ${label} down`}>
          ↓
        </button>
      </div>
    </li>
  );
}

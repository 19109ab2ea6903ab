export interface Figure {
  id: string;
  label: string;
  value: number;
}

/** Key figures as a definition list of cards. */
export function Figures({ figures, columns }: { figures: Figure[]; columns: string }) {
  return (
    <dl className={`grid grid-cols-2 gap-4 ${columns}`}>
      {figures.map((figure) => (
        <div
          key={figure.id}
          className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900"
        >
          <dt className="text-sm text-slate-600 dark:text-slate-300">{figure.label}</dt>
          <dd className="text-3xl font-semibold tabular-nums" data-testid={`figure-${figure.id}`}>
            {figure.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

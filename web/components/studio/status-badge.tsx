const tones: Record<string, string> = {
  published: "bg-green-100 text-green-900 dark:bg-green-900 dark:text-green-100",
  draft: "bg-amber-100 text-amber-950 dark:bg-amber-900 dark:text-amber-50",
  archived: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium capitalize ${tones[status] ?? tones.archived}`}>
      {status}
    </span>
  );
}

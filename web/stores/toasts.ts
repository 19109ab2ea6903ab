import { create } from "zustand";

export interface Toast {
  id: string;
  title: string;
  body?: string;
  tone: "info" | "success" | "error";
}

interface ToastState {
  toasts: Toast[];
  show: (toast: Omit<Toast, "id">) => void;
  dismiss: (id: string) => void;
}

/** How long a toast stays, in milliseconds. */
export const TOAST_MS = 6_000;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  show(toast) {
    const id = crypto.randomUUID();
    set((state) => ({ toasts: [...state.toasts.slice(-4), { ...toast, id }] }));
    setTimeout(() => get().dismiss(id), TOAST_MS);
  },
  dismiss(id) {
    set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) }));
  },
}));

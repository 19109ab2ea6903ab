import type { Metadata } from "next";

import { Catalog } from "@/components/features/catalog/catalog";

export const metadata: Metadata = { title: "Catalog" };

export default function CatalogPage() {
  return <Catalog />;
}

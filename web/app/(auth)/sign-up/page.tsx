import type { Metadata } from "next";

import { SignUpForm } from "@/components/features/auth/sign-up-form";
import { safeNext } from "@/lib/redirect";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return <SignUpForm next={safeNext(next)} />;
}

"use client";

import { PlatformFigures } from "./platform-figures";
import { Roles } from "./roles";
import { Users } from "./users";

export function Administration() {
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Administration</h1>
      <PlatformFigures />
      <Users />
      <Roles />
    </div>
  );
}

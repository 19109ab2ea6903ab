import { Loading } from "@/components/ui/states";

export default function StudioLoading() {
  return <Loading />;
}

import { Loading } from "@/components/ui/states";

export default function LearnLoading() {
  return <Loading />;
}

/** What an action said: announced politely when it worked, as an alert when it failed. */
export interface Message {
  text: string;
  error: boolean;
}

export function FormMessage({ message, className = "" }: { message: Message | null; className?: string }) {
  if (!message) return null;
  return (
    <p
      role={message.error ? "alert" : "status"}
      className={`text-sm ${message.error ? "text-red-700 dark:text-red-300" : "text-green-800 dark:text-green-300"} ${className}`}
    >
      {message.text}
    </p>
  );
}

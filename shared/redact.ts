/**
 * Masks what looks like an email address or a phone number in free text (provider error messages,
 * exception texts) before it goes to a log: logs never carry personal data, even when an error quotes it.
 */
export function redactPersonalData(text: string): string {
  return (
    text
      .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '<email>')
      // E.164 (+ and 8–15 digits, grouped or not), and mainland mobile numbers (11 digits from 13–19).
      .replace(/(?<![\w/+])(\+\d[\d -]{6,17}\d|1[3-9]\d{9})(?!\w)/g, '<phone>')
  );
}

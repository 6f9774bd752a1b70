/**
 * Spring Festival (春节, the first day of the lunar year), 2022–2028. Orders dip in the week around it
 * (couriers stop), and 年货节 (the new-year goods festival) runs in the weeks before it.
 */
export const SPRING_FESTIVALS = [
  '2022-02-01',
  '2023-01-22',
  '2024-02-10',
  '2025-01-29',
  '2026-02-17',
  '2027-02-06',
  '2028-01-26',
];

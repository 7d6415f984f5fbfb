/**
 * Kazakhstan's regions (oblystar) and the three cities of republican significance, as
 * stable codes shared by every feature that counts by region (fraud reports, the literacy
 * index). Seventeen regions since the 2022 reform (Abai, Zhetisu and Ulytau were created).
 */
export const KZ_REGIONS = [
  'astana',
  'almaty-city',
  'shymkent',
  'abai',
  'akmola',
  'aktobe',
  'almaty-region',
  'atyrau',
  'east-kazakhstan',
  'zhambyl',
  'zhetisu',
  'west-kazakhstan',
  'karaganda',
  'kostanay',
  'kyzylorda',
  'mangystau',
  'pavlodar',
  'north-kazakhstan',
  'turkistan',
  'ulytau',
] as const;

export type KzRegion = (typeof KZ_REGIONS)[number];

/** Names of the regions in English, for documents and charts (the portal translates). */
export const KZ_REGION_NAMES: Record<KzRegion, string> = {
  astana: 'Astana',
  'almaty-city': 'Almaty (city)',
  shymkent: 'Shymkent',
  abai: 'Abai Region',
  akmola: 'Akmola Region',
  aktobe: 'Aktobe Region',
  'almaty-region': 'Almaty Region',
  atyrau: 'Atyrau Region',
  'east-kazakhstan': 'East Kazakhstan Region',
  zhambyl: 'Zhambyl Region',
  zhetisu: 'Zhetisu Region',
  'west-kazakhstan': 'West Kazakhstan Region',
  karaganda: 'Karaganda Region',
  kostanay: 'Kostanay Region',
  kyzylorda: 'Kyzylorda Region',
  mangystau: 'Mangystau Region',
  pavlodar: 'Pavlodar Region',
  'north-kazakhstan': 'North Kazakhstan Region',
  turkistan: 'Turkistan Region',
  ulytau: 'Ulytau Region',
};

export function isKzRegion(value: string): value is KzRegion {
  return (KZ_REGIONS as readonly string[]).includes(value);
}

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from './api';

interface RegionView {
  code: string;
  names: { kk: string; ru: string; en: string };
}

/** Kazakhstan's regions with their names in the person's language (the server keeps the one list). */
export function useRegions() {
  const { i18n } = useTranslation();
  const query = useQuery({ queryKey: ['regions'], queryFn: () => api<RegionView[]>('/v1/literacy/regions'), staleTime: Infinity });
  const lang = (i18n.resolvedLanguage ?? 'en') as 'kk' | 'ru' | 'en';
  // Memoized, so that charts drawn from region names are not redrawn on every render.
  return useMemo(() => {
    const regions = (query.data ?? []).map((r) => ({ code: r.code, name: r.names[lang] ?? r.names.en }));
    const nameOf = (code: string | null | undefined) => (code ? (regions.find((r) => r.code === code)?.name ?? code) : '—');
    return { regions, nameOf, loaded: query.isSuccess };
  }, [query.data, query.isSuccess, lang]);
}

export const AGE_GROUPS = ['15-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;

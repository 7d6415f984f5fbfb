import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Breach, type Organization } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';
import { Link } from '../router';

export function BreachCard({ breach, showCompany = true }: { breach: Breach; showCompany?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <article className="card">
      <h2>{breach.title}</h2>
      <dl>
        {showCompany ? (
          <>
            <dt>{t('breaches.company')}</dt>
            <dd><Link to={`/companies/${breach.organization.bin}`}>{breach.organization.name}</Link></dd>
          </>
        ) : null}
        <dt>{t('breaches.affected')}</dt>
        <dd>{f.number(breach.affectedCount)}</dd>
        <dt>{t('breaches.occurred')}</dt>
        <dd>{f.date(breach.occurredAt)}</dd>
        <dt>{t('breaches.published')}</dt>
        <dd>{f.date(breach.publishedAt)}</dd>
        <dt>{t('breaches.source')}</dt>
        <dd>{t(`breaches.source_${breach.source}`, { defaultValue: breach.source })}</dd>
        <dt>{t('breaches.categories')}</dt>
        <dd>{breach.dataCategories.join(', ')}</dd>
      </dl>
      {breach.description ? <p>{breach.description}</p> : null}
    </article>
  );
}

export function PublicBreaches() {
  const { t } = useTranslation();
  const query = useInfiniteQuery({
    queryKey: ['breaches'],
    queryFn: ({ pageParam }) => api<{ items: Breach[]; nextCursor: string | null }>(`/v1/breaches?limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return (
    <section>
      <h1>{t('breaches.title')}</h1>
      <Loaded query={query}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          return items.length === 0 ? (
            <p>{t('breaches.none')}</p>
          ) : (
            <>
              {items.map((b) => <BreachCard key={b.id} breach={b} />)}
              {query.hasNextPage ? <button type="button" onClick={() => void query.fetchNextPage()}>{t('breaches.more')}</button> : null}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

export function Company({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const query = useQuery({ queryKey: ['organization', bin], queryFn: () => api<Organization>(`/v1/organizations/${bin}`) });
  return (
    <section>
      {query.isError ? (
        <>
          <h1>{t('company.bin')} {bin}</h1>
          <p>{t('company.notFound')}</p>
        </>
      ) : (
        <Loaded query={query}>
          {(org) => (
            <>
              <h1>{t('company.title', { name: org.name })}</h1>
              <p>{t('company.bin')}: {org.bin}</p>
              <p className="lead">{t('company.totals', { breaches: f.number(org.totals.publishedBreaches), persons: f.number(org.totals.affectedPersons) })}</p>
              {org.breaches.map((b) => <BreachCard key={b.id} breach={b} showCompany={false} />)}
            </>
          )}
        </Loaded>
      )}
      <p><Link to="/breaches">{t('app.back')}</Link></p>
    </section>
  );
}

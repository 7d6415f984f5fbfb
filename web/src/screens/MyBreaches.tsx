import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Breach } from '../api';
import { Loaded } from '../components/Query';
import { BreachCard } from './PublicBreaches';

export function MyBreaches() {
  const { t } = useTranslation();
  const query = useQuery({ queryKey: ['me', 'breaches'], queryFn: () => api<Breach[]>('/v1/me/breaches') });
  return (
    <section>
      <h1>{t('myBreaches.title')}</h1>
      <Loaded query={query}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('myBreaches.none')}</p>
          ) : (
            <>
              <p className="lead">{t('myBreaches.protected')}</p>
              {items.map((b) => <BreachCard key={b.id} breach={b} />)}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

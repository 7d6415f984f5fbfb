import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Inquiry } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';

export function Inquiries() {
  const { t } = useTranslation();
  const f = useFormat();
  const query = useQuery({ queryKey: ['me', 'inquiries'], queryFn: () => api<Inquiry[]>('/v1/me/inquiries') });
  return (
    <section>
      <h1>{t('inquiries.title')}</h1>
      <p className="lead">{t('inquiries.intro')}</p>
      <Loaded query={query}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('inquiries.none')}</p>
          ) : (
            <table data-testid="inquiries">
              <thead>
                <tr><th scope="col">{t('inquiries.when')}</th><th scope="col">{t('inquiries.lender')}</th><th scope="col">{t('inquiries.product')}</th><th scope="col">{t('inquiries.channel')}</th><th scope="col">{t('inquiries.decision')}</th></tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={i.checkId}>
                    <td>{f.dateTime(i.checkedAt)}</td>
                    <td>{i.lender.name} <span className="muted">({i.lender.bin})</span></td>
                    <td>{t(`restrictions.product_${i.product}`)}</td>
                    <td>{t(`restrictions.channel_${i.channel}`)}</td>
                    <td>{i.decision === 'deny' ? t('inquiries.deny') : t('inquiries.allow')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}

import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type SignedDocument, type SignedDocumentSummary } from '../api';
import { download, Loaded } from '../components/Query';
import { fromBase64 } from '../crypto/cms';
import { useFormat } from '../format';

export function Documents() {
  const { t } = useTranslation();
  const f = useFormat();
  const query = useQuery({ queryKey: ['me', 'documents'], queryFn: () => api<SignedDocumentSummary[]>('/v1/me/documents') });
  const [shown, setShown] = useState<SignedDocument | null>(null);
  const fetchDocument = (id: string) => api<SignedDocument>(`/v1/me/documents/${id}`);
  return (
    <section>
      <h1>{t('documents.title')}</h1>
      <p className="lead">{t('documents.intro')}</p>
      <Loaded query={query}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('documents.none')}</p>
          ) : (
            <table data-testid="documents">
              <thead>
                <tr><th scope="col">{t('documents.action')}</th><th scope="col">{t('documents.signedAt')}</th><th scope="col"><span className="sr-only">{t('documents.download')}</span></th></tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.id}>
                    <td>{t(`documents.${d.action}`, { defaultValue: d.action })}</td>
                    <td>{f.dateTime(d.signedAt)}</td>
                    <td className="actions">
                      <button type="button" onClick={async () => setShown(await fetchDocument(d.id))}>{t('documents.show')}</button>
                      <button type="button" onClick={async () => download(`qorgau-${d.action}-${d.id}.p7s`, fromBase64((await fetchDocument(d.id)).cms))}>{t('documents.download')}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {shown ? <pre className="document" tabIndex={0} aria-label={t('documents.show')}>{JSON.stringify(JSON.parse(shown.content), null, 2)}</pre> : null}
    </section>
  );
}

import { useTranslation } from 'react-i18next';
import { useFormat } from '../../format';

export interface FraudReportStatus {
  id: string;
  status: 'received' | 'linked' | 'under_investigation' | 'solved' | 'closed';
  signed: boolean;
  receivedAt: string;
  statusChangedAt: string;
  linkedReports: number;
  linkedOn: { kind: string; reports: number }[];
  identifiers: { kind: string; display: string; asReported: string; state: string; reason: string | null }[];
}

/** What a victim sees of their report: its status, how many others share its identifiers, never another victim's data. */
export function FraudStatusCard({ report }: { report: FraudReportStatus }) {
  const { t } = useTranslation();
  const f = useFormat();
  const kinds = report.linkedOn.map((l) => t(`fraud.kind_${l.kind}`)).join(', ');
  return (
    <article className="card" data-testid="fraud-status" aria-label={t('fraud.reportId') + ' ' + report.id}>
      <p>
        <strong className={report.status === 'solved' ? 'badge on' : 'badge'}>{t(`fraudStatus.status_${report.status}`)}</strong>{' '}
        {report.signed ? t('fraudStatus.signed') : t('fraudStatus.unsigned')}
      </p>
      <dl>
        <dt>{t('fraud.reportId')}</dt>
        <dd className="mono">{report.id}</dd>
        <dt>{t('fraudStatus.received')}</dt>
        <dd>{f.dateTime(report.receivedAt)}</dd>
      </dl>
      <p className="lead" data-testid="not-alone">
        {report.linkedReports > 0 ? t('fraudStatus.notAlone', { count: report.linkedReports, kinds }) : t('fraudStatus.alone')}
      </p>
      {report.identifiers.length > 0 ? (
        <>
          <h3>{t('fraudStatus.yourIdentifiers')}</h3>
          <ul>
            {report.identifiers.map((i) => (
              <li key={`${i.kind}-${i.display}`}>
                {t(`fraud.kind_${i.kind}`)} <span className="mono">{i.display}</span>: {t(`fraudStatus.state_${i.state}`)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </article>
  );
}

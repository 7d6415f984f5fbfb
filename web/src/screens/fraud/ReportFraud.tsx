import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem } from '../../api';
import { download } from '../../components/Query';
import { certificateFacts } from '../../crypto/certificate';
import { signCms, toBase64 } from '../../crypto/cms';
import { canonicalJson } from '../../crypto/requests';
import { openAndCheck, refusalOf } from '../../crypto/signin';
import { useFormat } from '../../format';
import { AGE_GROUPS, useRegions } from '../../regions';
import { useSession } from '../../session';
import { FraudStatusCard, type FraudReportStatus } from './FraudStatus';

export const CHANNELS = ['call', 'sms', 'messenger', 'social_network', 'website', 'marketplace', 'other'] as const;
export const SCHEMES = ['fake_bank_or_police_call', 'investment', 'marketplace_prepayment', 'phishing_link', 'loan_in_victim_name', 'e_signature_theft', 'romance', 'other'] as const;
const PAYMENTS = ['card_transfer', 'bank_transfer', 'cash', 'crypto', 'mobile_balance', 'payment_terminal', 'loan_in_victim_name', 'none', 'other'] as const;
const TYPES = ['phone', 'card', 'iban', 'url', 'handle', 'wallet'] as const;
const CURRENCIES = ['KZT', 'RUB', 'USD', 'EUR', 'USDT'] as const;
// The server's limits (docs/fraud.md): checked here first so that nobody waits for a refusal.
const NARRATIVE_MAX = 10_000;
const ATTACHMENTS_MAX = 5;
const ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024;
const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'];

type IdentifierType = (typeof TYPES)[number];
interface IdentifierRow {
  key: number;
  type: IdentifierType;
  value: string;
  check: { state: 'idle' | 'checking' | 'ok' | 'bad'; text?: string };
}
interface Created {
  id: string;
  trackingCode: string;
  status: string;
  signed: boolean;
}

const today = () => new Date().toISOString().slice(0, 10);

/** The plain-word reason for a refused identifier (the server's stable code), in the person's language. */
function useProblemText() {
  const { t, i18n } = useTranslation();
  return (code: string, message: string) => (i18n.exists(`fraud.problem_${code}`) ? t(`fraud.problem_${code}`) : t('fraud.problem_other', { message }));
}

/** A victim (signed in or not) or a volunteer reports fraud; identifiers are checked as they are typed. */
export function ReportFraud() {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const problemText = useProblemText();
  const { session, signKey, setSignKey } = useSession();
  const { regions } = useRegions();
  const nextKey = useRef(1);
  const [occurredOn, setOccurredOn] = useState(today());
  const [region, setRegion] = useState('');
  const [ageGroup, setAgeGroup] = useState('');
  const [channel, setChannel] = useState<string>('call');
  const [scheme, setScheme] = useState<string>('fake_bank_or_police_call');
  const [amount, setAmount] = useState('0');
  const [currency, setCurrency] = useState<string>('KZT');
  const [paymentMethod, setPaymentMethod] = useState<string>('card_transfer');
  const [rows, setRows] = useState<IdentifierRow[]>([{ key: 0, type: 'phone', value: '', check: { state: 'idle' } }]);
  const [narrative, setNarrative] = useState('');
  const [contact, setContact] = useState('');
  const [forVictim, setForVictim] = useState(false);
  const [victimIin, setVictimIin] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [sign, setSign] = useState(false);
  const [keyFile, setKeyFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [signed, setSigned] = useState<Uint8Array | null>(null);
  const status = useQuery({
    queryKey: ['fraud', 'status', created?.id],
    enabled: Boolean(created),
    queryFn: () => fetchStatus(created!.id, created!.trackingCode),
  });

  const setRow = (key: number, change: Partial<IdentifierRow>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const check = async (row: IdentifierRow) => {
    if (!row.value.trim()) return setRow(row.key, { check: { state: 'idle' } });
    setRow(row.key, { check: { state: 'checking' } });
    try {
      const result = await api<{ display: string }>('/v1/fraud/identifiers/check', { method: 'POST', body: { type: row.type, value: row.value } });
      setRow(row.key, { check: { state: 'ok', text: t('fraud.identifierOk', { display: result.display }) } });
    } catch (err) {
      const p = err as ApiProblem;
      setRow(row.key, { check: { state: 'bad', text: problemText(p.code, p.detail) } });
    }
  };

  const pickFiles = (list: FileList | null) => {
    const picked = Array.from(list ?? []);
    setFileProblem(null);
    if (picked.length > ATTACHMENTS_MAX) return setFileProblem(t('fraud.attachmentTooMany', { count: ATTACHMENTS_MAX }));
    for (const file of picked) {
      if (file.size > ATTACHMENT_MAX_BYTES) return setFileProblem(t('fraud.attachmentTooLarge', { name: file.name, size: '2 MB' }));
      if (!ATTACHMENT_TYPES.includes(file.type)) return setFileProblem(t('fraud.attachmentType', { name: file.name }));
    }
    setFiles(picked);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const empty = new Set<string>();
    if (!region) empty.add('region');
    if (!narrative.trim()) empty.add('narrative');
    if (!session && !contact.trim()) empty.add('contact');
    if (forVictim && !/^\d{12}$/.test(victimIin)) empty.add('victimIin');
    setMissing(empty);
    if (empty.size > 0 || fileProblem || rows.some((r) => r.check.state === 'bad')) {
      setProblem(t('fraud.fixErrors'));
      return;
    }
    setBusy(true);
    try {
      const report = {
        occurredAt: new Date(`${occurredOn}T12:00:00`).toISOString(),
        region,
        ...(ageGroup ? { ageGroup } : {}),
        channel,
        scheme,
        amount: Number(amount) || 0,
        currency,
        paymentMethod,
        identifiers: rows.filter((r) => r.value.trim()).map((r) => ({ type: r.type, value: r.value.trim() })),
        narrative: narrative.trim(),
        ...(contact.trim() ? { contact: contact.trim() } : {}),
        ...(forVictim ? { victimIin } : {}),
      };
      const attachments = await Promise.all(files.map(async (file) => ({ fileName: file.name, mediaType: file.type, content: toBase64(new Uint8Array(await file.arrayBuffer())) })));
      let body: Record<string, unknown> = { report, ...(attachments.length ? { attachments } : {}) };
      let cms: Uint8Array | null = null;
      if (sign && session && !forVictim) {
        let key = signKey;
        if (!key) {
          if (!keyFile) throw new Error(t('signin.noFile'));
          key = (await openAndCheck(new Uint8Array(await keyFile.arrayBuffer()), password, 'SIGN', (d) => f.date(d))).key;
        }
        const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
        const document = canonicalJson({ ...report, action: 'fraud.report', iin: certificateFacts(key.certificate).iin ?? '', issuedAt: new Date().toISOString(), nonce });
        cms = await signCms(key, new TextEncoder().encode(document));
        setSignKey(key);
        body = { document: toBase64(cms), ...(attachments.length ? { attachments } : {}) };
      }
      const answer = await api<Created>('/v1/fraud/reports', { method: 'POST', body });
      setSigned(cms);
      setCreated(answer);
      await client.invalidateQueries({ queryKey: ['fraud', 'mine'] });
    } catch (err) {
      if (err instanceof ApiProblem) setProblem(problemText(err.code, err.detail));
      else {
        const refusal = refusalOf(err, undefined, (d) => f.date(d));
        setProblem(refusal.messageKey === 'signin.FAILED' ? (err as Error).message : t(refusal.messageKey, refusal.values));
      }
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section>
        <h1>{t('fraud.title')}</h1>
        <p role="status" className="ok" data-testid="fraud-sent">
          {t('fraud.sent')} {created.signed ? t('fraud.signedStatement') : t('fraud.unsignedStatement')}
        </p>
        <div className="card">
          <p>{t('fraud.trackingCode')}</p>
          <p className="mono" data-testid="tracking-code"><strong>{created.trackingCode}</strong></p>
          <p>{t('fraud.reportId')}: <span className="mono" data-testid="report-id">{created.id}</span></p>
          {signed ? <p><button type="button" onClick={() => download('qorgau-fraud-report.p7s', signed)}>{t('fraud.downloadSigned')}</button></p> : null}
        </div>
        {status.data ? <FraudStatusCard report={status.data} /> : null}
      </section>
    );
  }

  const invalid = (name: string) => (missing.has(name) ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-${name}-missing` } : {});
  const missingNote = (name: string) => (missing.has(name) ? <p id={`${id}-${name}-missing`} className="error">{t('fraud.required')}</p> : null);

  return (
    <section>
      <h1>{t('fraud.title')}</h1>
      <p className="lead">{t('fraud.intro')}</p>
      <p className="hint">{session ? t('fraud.signedInHint') : t('fraud.anonymousHint')}</p>
      <form className="card" onSubmit={(e) => void submit(e)} noValidate aria-label={t('fraud.title')}>
        <div className="two">
          <div className="field">
            <label htmlFor={`${id}-when`}>{t('fraud.when')}</label>
            <input id={`${id}-when`} type="date" max={today()} value={occurredOn} onChange={(e) => setOccurredOn(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-region`}>{t('fraud.region')}</label>
            <select id={`${id}-region`} value={region} onChange={(e) => setRegion(e.target.value)} {...invalid('region')}>
              <option value="">—</option>
              {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
            </select>
            {missingNote('region')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-age`}>{t('fraud.ageGroup')}</label>
            <select id={`${id}-age`} value={ageGroup} onChange={(e) => setAgeGroup(e.target.value)}>
              <option value="">{t('fraud.ageGroupNone')}</option>
              {AGE_GROUPS.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-channel`}>{t('fraud.channel')}</label>
            <select id={`${id}-channel`} value={channel} onChange={(e) => setChannel(e.target.value)}>
              {CHANNELS.map((c) => <option key={c} value={c}>{t(`fraud.channel_${c}`)}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-scheme`}>{t('fraud.scheme')}</label>
            <select id={`${id}-scheme`} value={scheme} onChange={(e) => setScheme(e.target.value)}>
              {SCHEMES.map((s) => <option key={s} value={s}>{t(`fraud.scheme_${s}`)}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-payment`}>{t('fraud.paymentMethod')}</label>
            <select id={`${id}-payment`} value={paymentMethod} onChange={(e) => setPaymentMethod(e.target.value)}>
              {PAYMENTS.map((p) => <option key={p} value={p}>{t(`fraud.payment_${p}`)}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-amount`}>{t('fraud.amount')}</label>
            <input id={`${id}-amount`} type="number" inputMode="decimal" min={0} step="any" value={amount} onChange={(e) => setAmount(e.target.value)} aria-describedby={`${id}-amount-hint`} />
            <p id={`${id}-amount-hint`} className="hint">{t('fraud.amountHint')}</p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-currency`}>{t('fraud.currency')}</label>
            <select id={`${id}-currency`} value={currency} onChange={(e) => setCurrency(e.target.value)}>
              {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </div>
        </div>

        <fieldset>
          <legend>{t('fraud.identifiers')}</legend>
          <p className="hint">{t('fraud.identifiersHint')}</p>
          {rows.map((row, index) => (
            <div key={row.key} className="identifier-row" data-testid="identifier-row">
              <div className="field">
                <label htmlFor={`${id}-type-${row.key}`}>{t('fraud.identifierType')}</label>
                <select id={`${id}-type-${row.key}`} value={row.type} onChange={(e) => setRow(row.key, { type: e.target.value as IdentifierType, check: { state: 'idle' } })}>
                  {TYPES.map((type) => <option key={type} value={type}>{t(`fraud.type_${type}`)}</option>)}
                </select>
              </div>
              <div className="field grow">
                <label htmlFor={`${id}-value-${row.key}`}>{t('fraud.identifierValue')}</label>
                <input
                  id={`${id}-value-${row.key}`}
                  value={row.value}
                  autoComplete="off"
                  aria-invalid={row.check.state === 'bad' ? true : undefined}
                  aria-describedby={`${id}-check-${row.key}`}
                  onChange={(e) => setRow(row.key, { value: e.target.value, check: { state: 'idle' } })}
                  onBlur={() => void check(row)}
                />
                <p id={`${id}-check-${row.key}`} aria-live="polite" className={row.check.state === 'bad' ? 'error' : row.check.state === 'ok' ? 'ok' : 'hint'} data-testid="identifier-check">
                  {row.check.state === 'checking' ? t('fraud.identifierChecking') : (row.check.text ?? '')}
                </p>
              </div>
              {rows.length > 1 ? (
                <button type="button" onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}>{t('fraud.identifierRemove', { number: index + 1 })}</button>
              ) : null}
            </div>
          ))}
          <button type="button" onClick={() => setRows((all) => [...all, { key: nextKey.current++, type: 'phone', value: '', check: { state: 'idle' } }])}>{t('fraud.identifierAdd')}</button>
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-narrative`}>{t('fraud.narrative')}</label>
          <textarea id={`${id}-narrative`} rows={6} maxLength={NARRATIVE_MAX} value={narrative} onChange={(e) => setNarrative(e.target.value)} {...invalid('narrative')} />
          <p className="hint">{t('fraud.narrativeCount', { count: f.number(narrative.length), max: f.number(NARRATIVE_MAX) })}</p>
          {missingNote('narrative')}
        </div>

        <div className="field">
          <label htmlFor={`${id}-files`}>{t('fraud.attachments')}</label>
          <input id={`${id}-files`} type="file" multiple accept={ATTACHMENT_TYPES.join(',')} onChange={(e) => pickFiles(e.target.files)} aria-describedby={`${id}-files-hint`} />
          <p id={`${id}-files-hint`} className="hint">{t('fraud.attachmentsHint', { count: ATTACHMENTS_MAX, size: '2 MB' })}</p>
          {fileProblem ? <p role="alert" className="error">{fileProblem}</p> : null}
        </div>

        <div className="field">
          <label htmlFor={`${id}-contact`}>{t('fraud.contact')}</label>
          <input id={`${id}-contact`} autoComplete="email" value={contact} onChange={(e) => setContact(e.target.value)} {...invalid('contact')} />
          {missingNote('contact')}
        </div>

        {session ? (
          <>
            <label className="check">
              <input type="checkbox" checked={forVictim} onChange={(e) => setForVictim(e.target.checked)} /> {t('fraud.volunteerFor')}
            </label>
            {forVictim ? (
              <div className="field">
                <label htmlFor={`${id}-victim`}>{t('fraud.victimIin')}</label>
                <input id={`${id}-victim`} inputMode="numeric" maxLength={12} value={victimIin} onChange={(e) => setVictimIin(e.target.value.replace(/\D/g, ''))} {...invalid('victimIin')} />
                {missingNote('victimIin')}
              </div>
            ) : (
              <>
                <label className="check">
                  <input type="checkbox" checked={sign} onChange={(e) => setSign(e.target.checked)} /> {t('fraud.sign')}
                </label>
                {sign && !signKey ? (
                  <div className="two">
                    <p className="hint">{t('fraud.signHint')}</p>
                    <div className="field">
                      <label htmlFor={`${id}-key`}>{t('sign.keyFile')}</label>
                      <input id={`${id}-key`} type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => setKeyFile(e.target.files?.[0] ?? null)} />
                    </div>
                    <div className="field">
                      <label htmlFor={`${id}-password`}>{t('sign.password')}</label>
                      <input id={`${id}-password`} type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} />
                    </div>
                  </div>
                ) : null}
              </>
            )}
          </>
        ) : null}

        {problem ? <p role="alert" className="error" data-testid="fraud-problem">{problem}</p> : null}
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>{busy ? t('fraud.sending') : t('fraud.submit')}</button>
        </p>
      </form>
    </section>
  );
}

export async function fetchStatus(reportId: string, trackingCode?: string): Promise<FraudReportStatus> {
  const response = await fetch(`/v1/fraud/reports/${encodeURIComponent(reportId)}/status`, { credentials: 'same-origin', headers: trackingCode ? { 'x-tracking-code': trackingCode } : {} });
  const parsed = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiProblem(response.status, parsed?.code ?? `HTTP_${response.status}`, parsed?.detail ?? response.statusText);
  return parsed as FraudReportStatus;
}

/** Anyone with a report's number and tracking code follows it, without signing in. */
export function FollowReport() {
  const { t } = useTranslation();
  const id = useId();
  const [reportId, setReportId] = useState('');
  const [code, setCode] = useState('');
  const [asked, setAsked] = useState<{ reportId: string; code: string } | null>(null);
  const status = useQuery({ queryKey: ['fraud', 'follow', asked], enabled: Boolean(asked), queryFn: () => fetchStatus(asked!.reportId.trim(), asked!.code.trim()) });
  return (
    <section>
      <h2>{t('fraud.follow')}</h2>
      <p>{t('fraud.followIntro')}</p>
      <form className="card narrow" onSubmit={(e) => { e.preventDefault(); setAsked({ reportId, code }); }} noValidate>
        <div className="field">
          <label htmlFor={`${id}-id`}>{t('fraud.reportId')}</label>
          <input id={`${id}-id`} value={reportId} onChange={(e) => setReportId(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-code`}>{t('fraud.trackingCode')}</label>
          <input id={`${id}-code`} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit" className="primary">{t('fraud.followSubmit')}</button>
      </form>
      {status.isError ? <p role="alert" className="error">{t('app.error', { message: (status.error as Error).message })}</p> : null}
      {status.data ? <FraudStatusCard report={status.data} /> : null}
    </section>
  );
}

/** The signed-in person's own reports, and those a volunteer made for them. */
export function MyFraudReports() {
  const { t } = useTranslation();
  const mine = useQuery({ queryKey: ['fraud', 'mine'], queryFn: () => api<FraudReportStatus[]>('/v1/fraud/reports/mine') });
  return (
    <section>
      <h1>{t('fraudStatus.mineTitle')}</h1>
      <p className="lead">{t('fraudStatus.mineIntro')}</p>
      {mine.isPending ? <p role="status">{t('app.loading')}</p> : null}
      {mine.isError ? <p role="alert" className="error">{t('app.error', { message: (mine.error as Error).message })}</p> : null}
      {mine.data && mine.data.length === 0 ? <p>{t('fraudStatus.none')}</p> : null}
      <div className="cards" data-testid="my-fraud-reports">
        {(mine.data ?? []).map((r) => <FraudStatusCard key={r.id} report={r} />)}
      </div>
    </section>
  );
}

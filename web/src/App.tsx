import { lazy, Suspense, useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from './api';
import { LANGUAGES } from './i18n';
import { Link, useRoute } from './router';
import { useSession } from './session';
import { Home } from './screens/Home';
import { PublicBreaches, Company } from './screens/PublicBreaches';
import { SignIn } from './screens/SignIn';
import { MyBreaches } from './screens/MyBreaches';
import { Restrictions } from './screens/Restrictions';
import { Inquiries } from './screens/Inquiries';
import { Documents } from './screens/Documents';
import { Certificates } from './screens/Certificates';
import { Contacts } from './screens/Contacts';
import { Operator } from './screens/Operator';
import { Lender } from './screens/Lender';
import { Organization } from './screens/Organization';
import { Inspector } from './screens/Inspector';
import { Apply } from './screens/Apply';
import { CertificateReview } from './screens/CertificateReview';
import { FollowReport, MyFraudReports, ReportFraud } from './screens/fraud/ReportFraud';
import { Lookup } from './screens/fraud/Lookup';
import { Assessment } from './screens/literacy/Assessment';
import { Volunteer } from './screens/literacy/Volunteer';
import { FraudStatistics } from './screens/ops/FraudStatistics';
import { Centers } from './screens/ops/Centers';
import { CentersAdmin } from './screens/ops/CentersAdmin';
import { QuestionBank } from './screens/ops/QuestionBank';
import { Policy } from './screens/ops/Policy';

const LARGE_TEXT_KEY = 'qorgau.largeText';

// The graph and chart libraries are loaded only by the screens that draw with them, so that a
// citizen on a slow phone does not download them to sign in.
const Investigator = lazy(() => import('./screens/fraud/Investigator').then((m) => ({ default: m.Investigator })));
const IndexPage = lazy(() => import('./screens/literacy/IndexPage').then((m) => ({ default: m.IndexPage })));

function Screen({ path }: { path: string }) {
  const { session } = useSession();
  const company = /^\/companies\/([0-9]{12})$/.exec(path);
  if (company) return <Company bin={company[1]} />;
  if (path === '/breaches') return <PublicBreaches />;
  if (path === '/signin') return <SignIn />;
  if (path === '/apply' || path === '/apply/new') return <Apply key={path} />;
  const application = /^\/apply\/([0-9a-f-]{36})$/.exec(path);
  if (application) return <Apply id={application[1]} />;
  if (path === '/operator/certificates') return <CertificateReview />;
  if (path === '/operator') return <Operator />;
  if (path === '/lender') return <Lender />;
  if (path === '/inspector') return <Inspector />;
  if (path === '/fraud/report') return session === undefined ? null : <><ReportFraud /><FollowReport /></>;
  if (path === '/investigator') return <Investigator />;
  if (path === '/fraud/lookup') return <Lookup />;
  if (path === '/literacy/test') return <Assessment />;
  if (path === '/literacy/index') return <IndexPage />;
  if (path === '/literacy/volunteer') return <Volunteer />;
  if (path === '/fraud/statistics') return <FraudStatistics />;
  if (path === '/literacy/centers') return <Centers />;
  if (path === '/operator/policy') return <Policy />;
  if (path === '/operator/literacy/bank') return <QuestionBank />;
  if (path === '/operator/literacy/centers') return <CentersAdmin />;
  if (path === '/org') return session === undefined ? null : <Organization />;
  const personal: Record<string, () => ReactElement> = {
    '/me/breaches': () => <MyBreaches />,
    '/me/restrictions': () => <Restrictions />,
    '/me/inquiries': () => <Inquiries />,
    '/me/documents': () => <Documents />,
    '/me/certificates': () => <Certificates />,
    '/me/contacts': () => <Contacts />,
    '/me/fraud': () => <MyFraudReports />,
  };
  if (personal[path]) return session === null ? <SignIn /> : session === undefined ? null : personal[path]();
  return <Home />;
}

export function App() {
  const { t, i18n } = useTranslation();
  const { path, go } = useRoute();
  const { session, setSignKey, refresh } = useSession();
  const [largeText, setLargeText] = useState(() => localStorage.getItem(LARGE_TEXT_KEY) === '1');
  useEffect(() => {
    document.documentElement.classList.toggle('large-text', largeText);
    localStorage.setItem(LARGE_TEXT_KEY, largeText ? '1' : '0');
  }, [largeText]);
  useEffect(() => {
    document.title = `${t('app.name')} — ${t('app.tagline')}`;
  }, [t, i18n.resolvedLanguage]);

  const signOut = async () => {
    await api('/v1/auth/signout', { method: 'POST' }).catch(() => undefined);
    setSignKey(null);
    await refresh();
    go('/');
  };

  return (
    <>
      <a className="skip" href="#main">{t('app.skip')}</a>
      <header className="top">
        <div className="brand">
          <Link to="/" className="brand-name">{t('app.name')}</Link>
          <span className="tagline">{t('app.tagline')}</span>
        </div>
        <div className="tools">
          <label className="inline">
            {t('app.language')}{' '}
            <select value={i18n.resolvedLanguage} onChange={(e) => void i18n.changeLanguage(e.target.value)} data-testid="language">
              {LANGUAGES.map((l) => (
                <option key={l.code} value={l.code} lang={l.code}>{l.name}</option>
              ))}
            </select>
          </label>
          <button type="button" aria-pressed={largeText} onClick={() => setLargeText(!largeText)}>{t('app.largeText')}</button>
          {session ? (
            <>
              <span className="who">{t('app.signedInAs', { name: session.displayName })}</span>
              <button type="button" onClick={() => void signOut()}>{t('app.signOut')}</button>
            </>
          ) : session === null ? (
            <Link to="/signin" className="button">{t('app.signIn')}</Link>
          ) : null}
        </div>
      </header>
      <nav aria-label={t('app.nav')} className="menu">
        <ul>
          <li><Link to="/breaches">{t('nav.breaches')}</Link></li>
          <li><Link to="/fraud/report">{t('more.reportFraud')}</Link></li>
          <li><Link to="/literacy/test">{t('more.assessment')}</Link></li>
          <li><Link to="/literacy/index">{t('more.index')}</Link></li>
          <li><Link to="/fraud/statistics">{t('ops.nav.statistics')}</Link></li>
          <li><Link to="/literacy/centers">{t('ops.nav.centers')}</Link></li>
          {session?.holder === 'employee' ? <li><Link to="/org">{t('nav.organization')}</Link></li> : null}
          {session ? (
            <>
              <li><Link to="/">{t('nav.home')}</Link></li>
              <li><Link to="/me/breaches">{t('nav.myBreaches')}</Link></li>
              <li><Link to="/me/restrictions">{t('nav.restrictions')}</Link></li>
              <li><Link to="/me/inquiries">{t('nav.inquiries')}</Link></li>
              <li><Link to="/me/documents">{t('nav.documents')}</Link></li>
              <li><Link to="/me/certificates">{t('nav.certificates')}</Link></li>
              <li><Link to="/me/contacts">{t('nav.contacts')}</Link></li>
              <li><Link to="/me/fraud">{t('more.myFraud')}</Link></li>
              <li><Link to="/literacy/volunteer">{t('more.volunteer')}</Link></li>
            </>
          ) : null}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
          <Screen path={path} />
        </Suspense>
      </main>
      <footer className="foot">
        <nav aria-label={t('app.professional')}>
          <ul>
            <li><Link to="/operator">{t('nav.operator')}</Link></li>
            <li><Link to="/operator/certificates">{t('review.nav')}</Link></li>
            <li><Link to="/operator/policy">{t('ops.nav.policy')}</Link></li>
            <li><Link to="/operator/literacy/bank">{t('ops.nav.bank')}</Link></li>
            <li><Link to="/operator/literacy/centers">{t('ops.nav.centersAdmin')}</Link></li>
            <li><Link to="/lender">{t('nav.lender')}</Link></li>
            <li><Link to="/inspector">{t('nav.inspector')}</Link></li>
            <li><Link to="/investigator">{t('more.investigator')}</Link></li>
            <li><Link to="/fraud/lookup">{t('more.lookup')}</Link></li>
            <li><a href="/docs">API</a></li>
          </ul>
        </nav>
      </footer>
    </>
  );
}

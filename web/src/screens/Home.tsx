import { useTranslation } from 'react-i18next';
import { Link } from '../router';
import { useSession } from '../session';

export function Home() {
  const { t } = useTranslation();
  const { session } = useSession();
  if (!session) {
    return (
      <section>
        <h1>{t('app.name')}</h1>
        <p className="lead">{t('home.publicIntro')}</p>
        <p>{t('home.signInHint')}</p>
        <p><Link to="/apply">{t('apply.link')}</Link></p>
        <p className="actions">
          <Link to="/signin" className="button primary">{t('app.signIn')}</Link>
          <Link to="/breaches" className="button">{t('nav.breaches')}</Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1>{t('home.title', { name: session.displayName })}</h1>
      <p className="lead">{t('home.intro')}</p>
      <ul className="tiles">
        <li><Link to="/me/breaches">{t('nav.myBreaches')}</Link></li>
        <li><Link to="/me/restrictions">{t('nav.restrictions')}</Link></li>
        <li><Link to="/me/inquiries">{t('nav.inquiries')}</Link></li>
        <li><Link to="/me/documents">{t('nav.documents')}</Link></li>
        <li><Link to="/me/certificates">{t('nav.certificates')}</Link></li>
        <li><Link to="/me/contacts">{t('nav.contacts')}</Link></li>
      </ul>
    </section>
  );
}

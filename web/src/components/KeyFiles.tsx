import { useTranslation } from 'react-i18next';
import { download } from '../crypto/enrol';

/** The two key files just written in this page, each saved with its own button. */
export function KeyFiles({ files }: { files: { auth: Uint8Array; sign: Uint8Array } }) {
  const { t } = useTranslation();
  return (
    <div className="card" data-testid="key-files">
      <p role="status" className="ok">{t('apply.filesReady')}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => download(files.auth, 'qorgau-auth.p12')} data-testid="save-auth">{t('apply.saveAuth')}</button>
        <button type="button" className="primary" onClick={() => download(files.sign, 'qorgau-sign.p12')} data-testid="save-sign">{t('apply.saveSign')}</button>
      </div>
      <p className="hint">{t('apply.keepSafe')}</p>
    </div>
  );
}

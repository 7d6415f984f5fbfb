import { useState } from 'react';
import { ApiProblem } from './api';

/**
 * Operators and lenders call the API with a token or API key (Bearer), as their own systems
 * do. The portal keeps it in this tab only (sessionStorage) and sends it with each call.
 */
export function useOfficeToken(kind: 'operator' | 'ca-operator' | 'lender' | 'inspector' | 'investigator' | 'lookup' | 'literacy-operator') {
  const key = `qorgau.${kind}.token`;
  const [token, setToken] = useState(() => sessionStorage.getItem(key));
  return {
    token,
    save: (value: string) => {
      sessionStorage.setItem(key, value.trim());
      setToken(value.trim());
    },
    clear: () => {
      sessionStorage.removeItem(key);
      setToken(null);
    },
  };
}

export async function officeApi<T>(token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiProblem(response.status, parsed?.code ?? `HTTP_${response.status}`, parsed?.detail ?? response.statusText);
  return parsed as T;
}

/** Uploads a file with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function upload<T>(token: string, path: string, file: File, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', /\.(ndjson|jsonl)$/i.test(file.name) ? 'application/x-ndjson' : 'text/csv');
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => {
      const parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(parsed as T);
      } else reject(new ApiProblem(xhr.status, parsed?.code ?? `HTTP_${xhr.status}`, parsed?.detail ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiProblem(0, 'NETWORK', 'The upload failed'));
    xhr.send(file);
  });
}

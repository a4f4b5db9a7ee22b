// Scanning a QR label with the camera. jsQR (vendored, loaded on first use) decodes frames
// drawn onto a canvas; frames are downscaled and decoded a few times a second, which is
// plenty for a label held still and keeps a cheap tablet cool.

import { t } from './i18n.js';
import { h } from './ui.js';

const JSQR_URL = '/static/vendor/jsqr/jsQR.js';
const DECODE_EDGE = 800;
const INTERVAL_MS = 150;

let loading = null;

function loadJsQR() {
  if (window.jsQR) return Promise.resolve(window.jsQR);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = h('script', { src: JSQR_URL });
      script.onload = () => resolve(window.jsQR);
      script.onerror = () => { loading = null; reject(new Error('jsQR failed to load')); };
      document.head.append(script);
    });
  }
  return loading;
}

/** Open the camera overlay; resolves with the decoded text, or null when cancelled. */
export async function scan() {
  const jsQR = await loadJsQR();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } } });
  } catch (error) {
    throw new Error(t('scan.no_camera'));
  }
  const video = h('video', { playsinline: true, muted: true, autoplay: true });
  video.srcObject = stream;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  return new Promise((resolve) => {
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      stream.getTracks().forEach((track) => track.stop());
      overlay.remove();
      resolve(value);
    };
    const overlay = h('div.scan-overlay', { testid: 'scanner', role: 'dialog', 'aria-label': t('scan.title') },
      h('p.scan-hint', t('scan.hint')),
      video,
      h('div.scan-frame'),
      h('button.big.cancel', { type: 'button', onclick: () => finish(null) }, t('action.cancel')));
    document.body.append(overlay);
    const tick = () => {
      if (done) return;
      if (video.readyState >= 2 && video.videoWidth) {
        const ratio = Math.min(1, DECODE_EDGE / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * ratio);
        canvas.height = Math.round(video.videoHeight * ratio);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
        if (code && code.data) {
          if (navigator.vibrate) navigator.vibrate(80);
          finish(code.data);
          return;
        }
      }
      setTimeout(tick, INTERVAL_MS);
    };
    video.play().catch(() => {});
    tick();
  });
}

// Takes a photo with the webcam: getUserMedia into a <video>, one frame onto a canvas, then a JPEG Blob.
// Browsers only allow the camera on secure origins, which includes http://127.0.0.1 and localhost.

/** Whether this browser can use a camera here at all. */
export function cameraAvailable() {
  return Boolean(navigator.mediaDevices?.getUserMedia) && window.isSecureContext;
}

/** Wires the camera dialog; `onPhoto(file)` receives each photo taken. */
export function setupCamera({ button, dialog, video, shoot, cancel, error }, onPhoto) {
  let stream;

  const stop = () => {
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = undefined;
    video.srcObject = null;
  };

  button.addEventListener('click', async () => {
    error.hidden = true;
    shoot.disabled = true;
    dialog.showModal();
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 960 }, facingMode: 'user' },
        audio: false,
      });
      video.srcObject = stream;
      await video.play();
      shoot.disabled = false;
    } catch (err) {
      error.textContent = `The camera is not available: ${err?.message ?? err}`;
      error.hidden = false;
    }
  });

  shoot.addEventListener('click', () => {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    canvas.toBlob(
      (blob) => {
        if (blob) onPhoto(new File([blob], `camera-${Date.now()}.jpg`, { type: 'image/jpeg' }));
        dialog.close();
      },
      'image/jpeg',
      0.92,
    );
  });

  cancel.addEventListener('click', () => dialog.close());
  // Esc, Cancel and a taken photo all close the dialog; the camera light must go off in every case.
  dialog.addEventListener('close', stop);
}

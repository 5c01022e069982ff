// The guidelines editor (project page, Guidelines tab): its preview follows the text as it is typed, a moment after
// the typing stops, and shows the saved guidelines when the page opens. The preview is the server's rendering (the
// form posts the draft to the frame beside it), so it matches the guidelines exactly and nothing is parsed here.

const form = document.getElementById('guidelines-form');
const button = document.getElementById('guidelines-preview-button');
if (form && button) {
  let timer = 0;
  const preview = () => form.requestSubmit(button);
  form.querySelector('textarea').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(preview, 600); });
  preview();
}

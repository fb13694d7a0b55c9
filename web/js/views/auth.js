// auth.js - the signed-out views: sign in, sign up, confirm the email, forgot password; and the Google button.
import { h, field } from '../dom.js';
import { cognitoMessage, passwordProblems, PASSWORD_RULES } from '../cognito.js';
import { alertBox, withBusy, passwordField, focusElement, announce, onSubmit, markInvalid } from '../ui.js';

/** The card every signed-out view sits in, beside the product's pitch. */
function layout(title, intro, ...body) {
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, title);
  const view = h('div', { class: 'auth' },
    h('section', { class: 'pitch', 'aria-label': 'About Mynt' },
      h('p', { class: 'pitch-title' }, 'Your budget, across all your banks.'),
      h('ul', { class: 'pitch-list' },
        h('li', {}, 'Connect every bank securely with Plaid \u2014 Mynt can only read, never move money.'),
        h('li', {}, 'See every account and balance in one place.'),
        h('li', {}, 'Find any transaction by date, account or kind.'))),
    h('section', { class: 'card auth-card', 'aria-labelledby': 'view-title' },
      heading,
      intro ? h('p', { class: 'intro' }, intro) : null,
      ...body));
  return { view, heading };
}

/** The "Continue with Google" button, through the hosted UI (in AWS Cognito's, locally mynt-local's stand-in); none
 * when the config names no hosted UI. */
function googleButton(app, verb) {
  if (!app.config.cognito_domain) return null;
  const button = h('button', { type: 'button', class: 'button button-google' },
    h('span', { class: 'g-logo', 'aria-hidden': 'true' }, 'G'), ` ${verb} with Google`);
  const errors = alertBox();
  button.addEventListener('click', () => withBusy(button, 'Opening Google\u2026', async () => {
    try {
      await app.startGoogle();
    } catch (err) {
      errors.show(err.message || 'Google sign-in could not start.');
    }
  }));
  return h('div', { class: 'google' },
    h('div', { class: 'divider', role: 'presentation' }, h('span', {}, 'or')),
    button,
    errors.el);
}

/** Shows a one-time message (e.g. "You're signed out") carried over from the previous view. */
function flashBox(app) {
  const flash = app.takeFlash();
  if (!flash) return null;
  const box = alertBox();
  box.show(flash.message, flash.kind ?? 'info');
  return box.el;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Signs in and goes to the dashboard; on an unconfirmed account goes to the confirm view. */
async function signInAndEnter(app, email, password, errors) {
  try {
    const tokens = await app.cognito.signIn(email, password);
    app.pending = null;
    app.session.start(tokens);
    app.navigate('dashboard');
  } catch (err) {
    if (err.type === 'UserNotConfirmedException') {
      app.pending = { email, password };
      app.setFlash(cognitoMessage(err), 'info');
      app.navigate('confirm');
      return;
    }
    errors.show(cognitoMessage(err, 'signIn'));
  }
}

export function signInView(app) {
  const errors = alertBox();
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'email', required: true, value: app.pending?.email ?? '' });
  const password = passwordField('Password', 'current-password');
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in');
  const form = h('form', { class: 'form', novalidate: true },
    email.wrap, password.wrap, errors.el, submit);
  onSubmit(form, errors, () => {
    const e = email.input.value.trim();
    if (!EMAIL_RE.test(e)) return markInvalid(errors, email.input, 'Enter your email address.');
    if (!password.input.value) return markInvalid(errors, password.input, 'Enter your password.');
    return withBusy(submit, 'Signing in\u2026', () => signInAndEnter(app, e, password.input.value, errors));
  });
  const { view, heading } = layout('Sign in', null,
    flashBox(app), form,
    h('p', { class: 'links' },
      h('a', { href: '#/forgot' }, 'Forgot your password?')),
    h('p', { class: 'links' }, 'New to Mynt? ', h('a', { href: '#/sign-up' }, 'Create an account')),
    googleButton(app, 'Sign in'));
  return { view, focus: () => focusElement(heading) };
}

export function signUpView(app) {
  const errors = alertBox();
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const rules = h('ul', { class: 'rules' });
  const password = passwordField('Password', 'new-password', [h('span', {}, `Use ${PASSWORD_RULES}.`), rules]);
  const updateRules = () => {
    const problems = passwordProblems(password.input.value);
    rules.replaceChildren(...['at least 8 characters', 'an upper-case letter', 'a lower-case letter', 'a number'].map((rule) => {
      const ok = password.input.value && !problems.includes(rule);
      return h('li', { class: ok ? 'rule-ok' : 'rule-todo' }, ok ? '\u2713 ' : '\u2022 ', rule,
        h('span', { class: 'sr-only' }, ok ? ' (done)' : ''));
    }));
  };
  password.input.addEventListener('input', updateRules);
  updateRules();
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Create account');
  const form = h('form', { class: 'form', novalidate: true }, email.wrap, password.wrap, errors.el, submit);
  onSubmit(form, errors, () => {
    const e = email.input.value.trim();
    const p = password.input.value;
    if (!EMAIL_RE.test(e)) return markInvalid(errors, email.input, 'Enter a valid email address.');
    if (!p) return markInvalid(errors, password.input, 'Choose a password.');
    return withBusy(submit, 'Creating your account\u2026', async () => {
      try {
        const out = await app.cognito.signUp(e, p);
        app.pending = { email: e, password: p };
        if (out.UserConfirmed) {
          await signInAndEnter(app, e, p, errors);
          return;
        }
        app.setFlash(`We sent a confirmation code to ${e}.`, 'info');
        app.navigate('confirm');
      } catch (err) {
        if (err.type === 'InvalidPasswordException') markInvalid(errors, password.input, cognitoMessage(err, 'signUp'));
        else if (err.type === 'UsernameExistsException') {
          errors.show(cognitoMessage(err, 'signUp'), 'error',
            h('p', {}, h('a', { href: '#/sign-in' }, 'Sign in'), ' \u00b7 ', h('a', { href: '#/forgot' }, 'Reset your password')));
          email.input.setAttribute('aria-invalid', 'true');
        } else errors.show(cognitoMessage(err, 'signUp'));
      }
    });
  });
  const { view, heading } = layout('Create your account', 'It takes a minute. You will confirm your email with a code.',
    flashBox(app), form,
    h('p', { class: 'links' }, 'Already have an account? ', h('a', { href: '#/sign-in' }, 'Sign in')),
    googleButton(app, 'Sign up'));
  return { view, focus: () => focusElement(heading) };
}

export function confirmView(app) {
  const errors = alertBox();
  const known = app.pending?.email ?? '';
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'email', required: true, value: known });
  const code = field('Confirmation code', {
    type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, maxlength: 10,
  }, app.localMode ? 'Local mode: no email is sent, and any code confirms the account.' : 'Check your inbox (and spam folder) for a 6-digit code.');
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Confirm account');
  const resend = h('button', { type: 'button', class: 'button button-secondary', disabled: app.localMode,
    'aria-describedby': app.localMode ? 'resend-note' : null }, 'Send a new code');
  resend.addEventListener('click', () => withBusy(resend, 'Sending\u2026', async () => {
    errors.clear();
    const e = email.input.value.trim();
    if (!EMAIL_RE.test(e)) return markInvalid(errors, email.input, 'Enter the email you signed up with.');
    try {
      await app.cognito.resendCode(e);
      errors.show(`A new code is on its way to ${e}.`, 'info');
    } catch (err) {
      errors.show(cognitoMessage(err, 'confirm'));
    }
    return true;
  }));
  const form = h('form', { class: 'form', novalidate: true },
    known ? null : email.wrap, code.wrap, errors.el, submit);
  onSubmit(form, errors, () => {
    const e = known || email.input.value.trim();
    const c = code.input.value.trim();
    if (!EMAIL_RE.test(e)) return markInvalid(errors, email.input, 'Enter the email you signed up with.');
    if (!c) return markInvalid(errors, code.input, 'Enter the code from the email.');
    return withBusy(submit, 'Confirming\u2026', async () => {
      try {
        await app.cognito.confirmSignUp(e, c);
      } catch (err) {
        if (err.type === 'CodeMismatchException' || err.type === 'ExpiredCodeException') markInvalid(errors, code.input, cognitoMessage(err, 'confirm'));
        else errors.show(cognitoMessage(err, 'confirm'));
        return;
      }
      announce('Account confirmed.');
      if (app.pending?.email === e && app.pending.password) {
        await signInAndEnter(app, e, app.pending.password, errors);
      } else {
        app.pending = { email: e };
        app.setFlash('Your account is confirmed. Sign in to continue.', 'success');
        app.navigate('sign-in');
      }
    });
  });
  const { view, heading } = layout('Confirm your email',
    known ? `Enter the code we sent to ${known}.` : 'Enter your email and the code we sent you.',
    flashBox(app), form,
    h('div', { class: 'links' }, resend,
      app.localMode ? h('p', { id: 'resend-note', class: 'hint' }, 'Not needed locally: no email is sent.') : null),
    h('p', { class: 'links' }, h('a', { href: '#/sign-in' }, 'Back to sign in')));
  return { view, focus: () => focusElement(heading) };
}

export function forgotView(app) {
  const errors = alertBox();
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'email', required: true, value: app.pending?.email ?? '' });
  const send = h('button', { type: 'submit', class: 'button button-primary' }, 'Send reset code');
  const step1 = h('form', { class: 'form', novalidate: true }, email.wrap, errors.el, send);
  const container = h('div', {}, step1);
  const { view, heading } = layout('Reset your password', 'We will email you a code to choose a new password.',
    flashBox(app), container,
    h('p', { class: 'links' }, h('a', { href: '#/sign-in' }, 'Back to sign in')));

  onSubmit(step1, errors, () => {
    const e = email.input.value.trim();
    if (!EMAIL_RE.test(e)) return markInvalid(errors, email.input, 'Enter your email address.');
    return withBusy(send, 'Sending\u2026', async () => {
      try {
        await app.cognito.forgotPassword(e);
      } catch (err) {
        errors.show(cognitoMessage(err, 'forgot'));
        return;
      }
      showStep2(e);
    });
  });

  function showStep2(e) {
    const errors2 = alertBox();
    const code = field('Reset code', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true },
      app.localMode ? 'Local mode: no email is sent, and any code works.' : `We sent it to ${e}.`);
    const password = passwordField('New password', 'new-password', `Use ${PASSWORD_RULES}.`);
    const save = h('button', { type: 'submit', class: 'button button-primary' }, 'Set new password');
    const heading2 = h('h2', { tabindex: '-1' }, 'Choose a new password');
    const step2 = h('form', { class: 'form', novalidate: true }, heading2, code.wrap, password.wrap, errors2.el, save);
    onSubmit(step2, errors2, () => {
      const c = code.input.value.trim();
      const p = password.input.value;
      if (!c) return markInvalid(errors2, code.input, 'Enter the code from the email.');
      if (!p) return markInvalid(errors2, password.input, 'Choose a new password.');
      return withBusy(save, 'Saving\u2026', async () => {
        try {
          await app.cognito.confirmForgotPassword(e, c, p);
        } catch (err) {
          if (err.type === 'InvalidPasswordException') markInvalid(errors2, password.input, cognitoMessage(err, 'reset'));
          else errors2.show(cognitoMessage(err, 'reset'));
          return;
        }
        announce('Password changed.');
        await signInAndEnter(app, e, p, errors2);
      });
    });
    container.replaceChildren(step2);
    focusElement(heading2);
  }

  return { view, focus: () => focusElement(heading) };
}

/** The view shown while a Google sign-in completes. */
export function callbackView() {
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Signing you in\u2026');
  const view = h('div', { class: 'auth auth-single' },
    h('section', { class: 'card auth-card', 'aria-busy': 'true', 'aria-labelledby': 'view-title' }, heading,
      h('p', { class: 'intro' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Finishing sign-in with Google.')));
  return { view, focus: () => focusElement(heading) };
}

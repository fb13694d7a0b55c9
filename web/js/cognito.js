// cognito.js - Cognito user pool calls the app makes (JSON API over fetch) and their user-facing messages.

/** A Cognito error: type is the exception name (e.g. NotAuthorizedException). */
export class CognitoError extends Error {
  constructor(type, message, status = 0) {
    super(message || type);
    this.name = 'CognitoError';
    this.type = type;
    this.status = status;
  }
}

/** The JSON API endpoint for a config: cognito_endpoint when set (local moto), else AWS's. */
export function cognitoEndpoint(config) {
  return config.cognito_endpoint || `https://cognito-idp.${config.region}.amazonaws.com/`;
}

/**
 * Returns a client bound to one app client. fetchImpl is injectable for tests. Each method
 * resolves to Cognito's JSON answer or rejects with a CognitoError (type 'NetworkError' when
 * the endpoint cannot be reached).
 */
export function createCognito({ endpoint, clientId, fetchImpl = (...a) => fetch(...a) }) {
  const url = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;

  async function call(operation, payload) {
    let res;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify(payload),
        cache: 'no-store',
      });
    } catch {
      throw new CognitoError('NetworkError', 'The sign-in service cannot be reached.');
    }
    let body = {};
    try { body = await res.json(); } catch { body = {}; }
    if (!res.ok) {
      const type = String(body.__type ?? body.code ?? `Http${res.status}`).split('#').pop();
      throw new CognitoError(type, body.message ?? body.Message ?? '', res.status);
    }
    return body;
  }

  const tokensOf = (out) => {
    const r = out.AuthenticationResult;
    if (!r?.IdToken) {
      const step = out.ChallengeName ? ` (${out.ChallengeName})` : '';
      throw new CognitoError('UnsupportedChallenge', `This account needs a sign-in step Mynt does not support yet${step}.`);
    }
    return { idToken: r.IdToken, accessToken: r.AccessToken, refreshToken: r.RefreshToken, expiresIn: r.ExpiresIn };
  };

  return {
    signUp: (email, password) => call('SignUp', {
      ClientId: clientId, Username: email, Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
    confirmSignUp: (email, code) => call('ConfirmSignUp', { ClientId: clientId, Username: email, ConfirmationCode: code }),
    resendCode: (email) => call('ResendConfirmationCode', { ClientId: clientId, Username: email }),
    signIn: async (email, password) => tokensOf(await call('InitiateAuth', {
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password },
    })),
    /** Resolves to fresh tokens; Cognito keeps the refresh token, so it is carried over. */
    refresh: async (refreshToken) => {
      const tokens = tokensOf(await call('InitiateAuth', {
        ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken },
      }));
      return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
    },
    forgotPassword: (email) => call('ForgotPassword', { ClientId: clientId, Username: email }),
    confirmForgotPassword: (email, code, password) => call('ConfirmForgotPassword', {
      ClientId: clientId, Username: email, ConfirmationCode: code, Password: password,
    }),
    /** Revokes a refresh token (this session only): Cognito then refuses it and the tokens issued from it. */
    revokeToken: (refreshToken) => call('RevokeToken', { ClientId: clientId, Token: refreshToken }),
  };
}

export const PASSWORD_RULES = 'at least 8 characters, with an upper-case letter, a lower-case letter and a number';

/** Which password rules text breaks (the user pool's policy); [] when none. */
export function passwordProblems(text) {
  const problems = [];
  if (text.length < 8) problems.push('at least 8 characters');
  if (!/[A-Z]/.test(text)) problems.push('an upper-case letter');
  if (!/[a-z]/.test(text)) problems.push('a lower-case letter');
  if (!/[0-9]/.test(text)) problems.push('a number');
  return problems;
}

/** A message a person can act on for a Cognito error during the given step. */
export function cognitoMessage(err, step = 'signIn') {
  switch (err?.type) {
    case 'NotAuthorizedException':
      if (step === 'refresh') return 'Your session has ended. Please sign in again.';
      return /disabled/i.test(err.message) ? 'This account is disabled.' : 'Incorrect email or password.';
    case 'UserNotFoundException':
      return step === 'forgot' ? 'There is no account with this email.' : 'Incorrect email or password.';
    case 'UserNotConfirmedException':
      return 'Your account is not confirmed yet. Enter the code we emailed you.';
    case 'UsernameExistsException':
      return 'An account with this email already exists. Sign in instead, or reset your password.';
    case 'InvalidPasswordException':
      return `That password is too weak. Use ${PASSWORD_RULES}.`;
    case 'CodeMismatchException':
      return 'That code is not right. Check the email and try again.';
    case 'ExpiredCodeException':
      return 'That code has expired. Ask for a new one.';
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return 'Too many attempts. Wait a few minutes and try again.';
    case 'PasswordResetRequiredException':
      return 'You need to reset your password before signing in.';
    case 'InvalidParameterException':
      return /email/i.test(err.message) ? 'Enter a valid email address.' : (err.message || 'Some of the details are not valid.');
    case 'UnsupportedChallenge':
      return err.message;
    case 'NetworkError':
      return 'The sign-in service cannot be reached. Check your connection and try again.';
    default:
      return 'Something went wrong while talking to the sign-in service. Please try again.';
  }
}

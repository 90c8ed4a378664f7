const env = import.meta.env;
document.getElementById('env').textContent = JSON.stringify({
  MODE: env.MODE,
  DEV: env.DEV,
  PROD: env.PROD,
  SSR: env.SSR,
  BASE_URL: env.BASE_URL,
  VITE_GREETING: env.VITE_GREETING,
  VITE_WHO: env.VITE_WHO,
  HMRD_ANSWER: env.HMRD_ANSWER,
  SECRET: env.SECRET ?? null,
});

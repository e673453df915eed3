package breaker

const XX = 2

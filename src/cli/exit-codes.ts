/** Exit codes: 0 ok, 1 run failed (or stored failed/invalid points), 2 bad input (nothing launched), 3 a threshold crossed (the gate failed), 130/143 interrupted. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_THRESHOLD = 3;

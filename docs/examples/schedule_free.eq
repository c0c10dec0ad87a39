# Schedule-Free SGD (Defazio et al., 2024)
y = (1-beta) z + beta x
z[t+1] = z[t] - gamma[t] grad(y[t])
x[t+1] = (1-c[t+1]) x[t] + c[t+1] z[t+1]
evaluate = x
with beta=0.9, c[t]=1/t, gamma[t]=lr*min(1, t/T_w), lr=0.1, T_w=20

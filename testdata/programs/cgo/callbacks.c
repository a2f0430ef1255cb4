#include <pthread.h>
#include <unistd.h>
#include "_cgo_export.h"

/* A C thread that Go has never seen calls into Go: the runtime gives it an
   extra M and the goroutine appears with GoCreateSyscall. */
static void *c_thread_main(void *arg) {
	int id = (int)(long)arg;
	int i;
	for (i = 0; i < 3; i++) {
		goCallback(id, i);
		usleep(200);
	}
	return 0;
}

void c_spawn_threads(int n) {
	pthread_t th[16];
	int i;
	if (n > 16) n = 16;
	for (i = 0; i < n; i++) {
		pthread_create(&th[i], 0, c_thread_main, (void *)(long)i);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], 0);
	}
}

/* A plain cgo call that takes a while (syscall-like from the trace's view). */
void c_sleep_us(int us) {
	usleep(us);
}

/* A callback into Go on a thread that already belongs to Go. */
int c_call_go(int x) {
	return goSquare(x) + 1;
}

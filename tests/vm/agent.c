// SPDX-License-Identifier: GPL-2.0
/*
 * agent.c - the guest side of `tests/vm/vm exec`: runs in the test VM's
 * initramfs on the control UART (ttyS1) and executes one command at a time.
 *
 * Wire format, both directions, over a raw 8-bit tty:
 *   frame = "HVG" <type:1> <len: 8 hex digits> <len bytes>
 * host -> guest:  'X' command line for /bin/sh -c,
 *                 'K' kill the running command (the host gave up on it),
 *                 'N' nothing (the host's kick when a command is silent;
 *                 any frame but 'X' and 'K' is ignored)
 * guest -> host:  'R' ready (sent once when the agent starts),
 *                 'O' stdout bytes, 'E' stderr bytes,
 *                 'S' exit status as decimal text (128+N for signal N).
 * A frame that does not start with the magic is skipped byte by byte, so a
 * host that connects mid-stream resynchronises at the next frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_CMD (64 * 1024)

static int tty;

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static void send_frame(char type, const void *data, size_t len)
{
	char hdr[24];

	snprintf(hdr, sizeof(hdr), "HVG%c%08x", type, (unsigned int)len);
	write_all(tty, hdr, 12);
	if (len)
		write_all(tty, data, len);
}

static int read_byte(void)
{
	unsigned char c;

	for (;;) {
		ssize_t n = read(tty, &c, 1);

		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			usleep(10000);	/* hangup on the tty: keep listening */
		else
			return -1;
	}
}

static int read_exact(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int c = read_byte();

		if (c < 0)
			return -1;
		buf[i] = (char)c;
	}
	return 0;
}

/*
 * Reads one frame into buf (NUL-terminated) and returns its type, 0 for a
 * malformed frame (skipped), or -1 on a tty error.
 */
static int read_frame(char *buf, size_t cap)
{
	static const char magic[] = "HVG";
	size_t matched = 0;
	char hex[9] = { 0 };
	char *end;
	unsigned long len;
	int type;

	while (matched < 3) {
		int c = read_byte();

		if (c < 0)
			return -1;
		if (c == magic[matched])
			matched++;
		else
			matched = (c == 'H');
	}
	type = read_byte();
	if (type < 0 || read_exact(hex, 8))
		return -1;
	len = strtoul(hex, &end, 16);
	if (*end || len >= cap)
		return 0;
	if (read_exact(buf, len))
		return -1;
	buf[len] = 0;
	return type;
}

static void run_command(const char *cmd)
{
	int out[2], err[2], status;
	char buf[4096], st[16];
	pid_t pid;

	if (pipe(out) || pipe(err)) {
		send_frame('E', "agent: pipe failed\n", 19);
		send_frame('S', "255", 3);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		/* Only 0-2 may reach the command: a stray copy of a pipe's write
		 * end would keep `exec` waiting for any background job. */
		close(null);
		close(out[0]);
		close(err[0]);
		close(out[1]);
		close(err[1]);
		close(tty);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);

	struct pollfd fds[3] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 },
				 { tty, POLLIN, 0 } };
	int open_fds = 2;

	while (open_fds) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[2].revents & POLLIN) {
			/* Only 'K' is meaningful while a command runs. */
			if (read_frame(buf, sizeof(buf)) == 'K')
				kill(-pid, SIGKILL);
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));

			if (n > 0) {
				send_frame(i ? 'E' : 'O', buf, n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		snprintf(st, sizeof(st), "%d", WEXITSTATUS(status));
	else
		snprintf(st, sizeof(st), "%d", 128 + WTERMSIG(status));
	send_frame('S', st, strlen(st));
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/ttyS1";
	static char cmd[MAX_CMD];
	struct termios t;

	signal(SIGPIPE, SIG_IGN);
	tty = open(dev, O_RDWR | O_NOCTTY);
	if (tty < 0) {
		perror(dev);
		return 1;
	}
	if (tcgetattr(tty, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		t.c_cflag |= CLOCAL | CREAD;
		t.c_cflag &= ~CRTSCTS;
		tcsetattr(tty, TCSANOW, &t);
	}
	send_frame('R', NULL, 0);
	for (;;) {
		int type = read_frame(cmd, sizeof(cmd));

		if (type < 0)
			return 1;
		if (type != 'X')
			continue;
		run_command(cmd);
	}
}

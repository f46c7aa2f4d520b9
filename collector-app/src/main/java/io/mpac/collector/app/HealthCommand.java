package io.mpac.collector.app;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * {@code health}: asks a running collector's {@code /-/ready}; exit 0 when it answers 200. For
 * container health checks in images that have no curl.
 */
final class HealthCommand {

  private final PrintStream out;
  private final PrintStream err;

  HealthCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] args) {
    Flags flags = Flags.parse(args, Set.of("addr", "timeout"), Set.of());
    if (!flags.positional.isEmpty()) throw new UsageException("unexpected argument " + flags.positional.get(0));
    String addr = flags.get("addr", "127.0.0.1:12345");
    RunCommand.hostPort(addr); // validates the form
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + addr + "/-/ready"))
        .timeout(Duration.ofSeconds(3)).GET().build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        out.print(response.body());
        return 0;
      }
      err.println("not ready: HTTP " + response.statusCode() + " " + response.body().trim());
      return 1;
    } catch (java.io.IOException e) {
      err.println("not ready: cannot reach " + addr + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}

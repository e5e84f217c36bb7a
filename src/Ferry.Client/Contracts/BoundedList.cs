using System.Collections.ObjectModel;

namespace Ferry.Client.Contracts;

/// <summary>
/// A list in a request body that holds at most <c>maximum</c> items, enforced while the JSON streams in: the JSON
/// serializer adds items one at a time as it reads them, and the item after the last allowed one throws
/// <see cref="ListTooLongException"/> (the server answers 400 naming the limit) before anything more of the body is read.
/// Subclasses fix the limit and have the parameterless constructor the serializer needs.
/// </summary>
public abstract class BoundedList<T>(int maximum, string what) : Collection<T>
{
    public int Maximum => maximum;

    protected override void InsertItem(int index, T item)
    {
        if (Count >= maximum)
        {
            throw new ListTooLongException($"give at most {maximum:N0} {what} per call; nothing of this call was done");
        }

        base.InsertItem(index, item);
    }
}
